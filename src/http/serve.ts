// Answers GET/HEAD with a stored document: validators, 304s, 301s and 410s, cache lifetimes, tags and CORS.
import type { Context } from 'hono';
import { accepts } from 'hono/accepts';
import { notFound, unavailable } from '../errors';
import { GONE, REDIRECT } from '../model/paths';
import { StorageError, storeFor, type CacheClass, type Doc, type DocMeta, type WaitUntil } from '../store/kv-store';
import { cacheTags } from './edge-cache';

/**
 * Browsers and feed readers (Cache-Control) revalidate within a minute; Workers Cache at the edge
 * (Cloudflare-CDN-Cache-Control, which Cloudflare strips) keeps copies longer, because the writer
 * purges each document's tag when it rewrites it.
 */
const LIFETIMES: Record<CacheClass, { browser: string; edge: string }> = {
  current: { browser: 'public, max-age=60, stale-while-revalidate=300, stale-if-error=86400', edge: 'max-age=300, stale-if-error=86400' },
  archive: {
    browser: 'public, max-age=86400, stale-while-revalidate=86400, stale-if-error=604800',
    edge: 'max-age=604800, stale-if-error=604800',
  },
  page: { browser: 'public, max-age=60, stale-while-revalidate=600, stale-if-error=86400', edge: 'max-age=300, stale-if-error=86400' },
  item: { browser: 'public, max-age=300, stale-while-revalidate=3600, stale-if-error=86400', edge: 'max-age=3600, stale-if-error=86400' },
};

/** Headers every public GET carries (X-Content-Type-Options comes from the app's secure headers). */
export const PUBLIC_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'ETag, Last-Modified, Link',
} as const;

function etagMatches(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  // If-None-Match uses the weak comparison (RFC 9110 §13.1.2).
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === bare);
}

/** RFC 9110 §13.2.2: If-None-Match decides when present; If-Modified-Since only otherwise. */
export function isNotModified(meta: Pick<DocMeta, 'etag' | 'lastModified'>, ifNoneMatch?: string, ifModifiedSince?: string): boolean {
  if (ifNoneMatch !== undefined) return etagMatches(ifNoneMatch, meta.etag);
  if (ifModifiedSince === undefined) return false;
  const since = Date.parse(ifModifiedSince);
  const modified = Date.parse(meta.lastModified);
  return !Number.isNaN(since) && !Number.isNaN(modified) && modified <= since;
}

/**
 * What a route adds to a stored answer, made once per route and reused (its identity keys the
 * prepared headers): the Cache-Tag value and constant headers.
 */
export interface ServeExtras {
  tags: string;
  /** Added last, so they may replace the lifetimes (a partner document's are private). */
  headers?: Record<string, string>;
  /** False for documents only their holder may read: no CORS headers. */
  cors?: false;
}

/** The extras of a stored document at `path`. */
export const extrasFor = (path: string, headers?: Record<string, string>): ServeExtras => ({
  tags: cacheTags(path),
  ...(headers ? { headers } : {}),
});

/** A document's answer headers for one URL form: full (200) and for a 304, each built when first needed. */
interface Prepared {
  common: Record<string, string>;
  full?: Headers;
  notModified?: Headers;
}

// A warm document keeps its metadata object and a route keeps its extras, so headers are built on a
// document's first answer and reused: Response copies a Headers object natively. Two forms: the
// canonical URL, and one with a query string (kept out of the edge cache).
const prepared = new WeakMap<DocMeta, WeakMap<ServeExtras, [Prepared?, Prepared?]>>();

function preparedFor(meta: DocMeta, x: ServeExtras, canonical: boolean): Prepared {
  let byRoute = prepared.get(meta);
  if (!byRoute) prepared.set(meta, (byRoute = new WeakMap()));
  let forms = byRoute.get(x);
  if (!forms) byRoute.set(x, (forms = [undefined, undefined]));
  const form = canonical ? 0 : 1;
  let p = forms[form];
  if (!p) {
    const life = LIFETIMES[meta.cache];
    p = forms[form] = {
      common: {
        ETag: meta.etag,
        // Answers made at deploy time (the stylesheet, robots.txt) have no date of their own to give.
        ...(meta.lastModified ? { 'Last-Modified': meta.lastModified } : {}),
        'Cache-Control': life.browser,
        'Cloudflare-CDN-Cache-Control': canonical ? life.edge : 'no-store',
        'Cache-Tag': x.tags,
        ...(x.cors === false ? {} : PUBLIC_HEADERS),
        ...x.headers,
      },
    };
  }
  return p;
}

/**
 * What of a request the answer depends on, read once: every property of a Request is a call into the
 * runtime, which the warm path counts.
 */
export interface Ask {
  /** The request's context: the 410 reads Accept through Hono's helper. */
  c: Context;
  head: boolean;
  /** The URL carries a query string. */
  query: boolean;
  inm: string | undefined;
  ims: string | undefined;
}

/** Reads what an answer depends on from the request. */
export function askOf(c: Context): Ask {
  const req = c.req.raw;
  const h = req.headers;
  return {
    c,
    head: req.method === 'HEAD',
    query: req.url.includes('?'),
    inm: h.get('If-None-Match') ?? undefined,
    ims: h.get('If-Modified-Since') ?? undefined,
  };
}

/**
 * A 304 or a full answer, for a body already in hand. Query parameters the path does not use
 * (utm_*, fbclid…) change nothing in the answer; they only keep it out of the edge cache, so one
 * cached copy per document serves everyone. `canonical` says whether this URL is that one copy.
 */
export function conditional(ask: Ask, meta: DocMeta, body: Uint8Array, x: ServeExtras, canonical = !ask.query): Response {
  const p = preparedFor(meta, x, canonical);
  if (isNotModified(meta, ask.inm, ask.ims)) {
    return new Response(null, { status: 304, headers: (p.notModified ??= new Headers(p.common)) });
  }
  p.full ??= new Headers({ 'Content-Type': meta.type, 'Content-Length': String(body.byteLength), ...p.common });
  return new Response(ask.head ? null : body, { status: 200, headers: p.full });
}

// JSON only when the client prefers it (by q-value, then by order) to HTML; browsers, "*/*" and no
// Accept at all get the page.
const GONE_TYPES = {
  header: 'Accept' as const,
  supports: ['text/html', 'application/problem+json', 'application/json'],
  default: 'text/html',
};
const wantsJson = (c: Context) => accepts(c, GONE_TYPES) !== 'text/html';

/**
 * The 410 for a withdrawn item's address: a small page for people, problem+json for programs.
 * Workers Cache never keeps it (as it keeps no 404): a slug published again must answer at once,
 * not when an edge copy expires or a purge lands.
 */
function gone(ask: Ask, path: string, body: Uint8Array, x: ServeExtras): Response {
  const headers = {
    'Cache-Control': 'public, max-age=300',
    'Cloudflare-CDN-Cache-Control': 'no-store',
    'Cache-Tag': x.tags,
    Vary: 'Accept',
    ...PUBLIC_HEADERS,
  };
  if (wantsJson(ask.c)) {
    const problem = {
      type: 'about:blank',
      title: 'Gone',
      status: 410,
      detail: 'This item has been withdrawn and will not come back at this address.',
      instance: path,
    };
    const json = new TextEncoder().encode(JSON.stringify(problem));
    return new Response(ask.head ? null : json, {
      status: 410,
      headers: { ...headers, 'Content-Type': 'application/problem+json; charset=utf-8', 'Content-Length': String(json.byteLength) },
    });
  }
  const html = { ...headers, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': String(body.byteLength) };
  return new Response(ask.head ? null : body, { status: 410, headers: html });
}

/** What the stored document at `path` answers: a 301, a 410 or the document (with 304s). */
function answer(ask: Ask, path: string, doc: Doc, x: ServeExtras): Response {
  if (doc.meta.type === REDIRECT) {
    // A renamed item's old address: permanent, so readers and search engines update their links.
    // As for documents, the edge keeps one copy, at the canonical URL (the writer purges it by its
    // tag when the address changes hands), and none per query string.
    const location = new TextDecoder().decode(doc.body);
    return new Response(null, {
      status: 301,
      headers: {
        Location: location,
        'Cache-Control': 'public, max-age=3600',
        'Cloudflare-CDN-Cache-Control': ask.query ? 'no-store' : 'max-age=3600',
        'Cache-Tag': x.tags,
        ...PUBLIC_HEADERS,
      },
    });
  }
  if (doc.meta.type === GONE) return gone(ask, path, doc.body, x);
  return conditional(ask, doc.meta, doc.body, x);
}

const always = () => true;

/** Whether the stored body is needed: not for a conditional request its validators answer with 304. */
export function bodyWanted({ inm, ims }: Ask): (meta: DocMeta) => boolean {
  if (inm === undefined && ims === undefined) return always;
  return (meta) => meta.type === REDIRECT || meta.type === GONE || !isNotModified(meta, inm, ims);
}

/** The answer from this isolate's fresh copy of the document at `path`, synchronously, or undefined. */
export function warmDocument(ask: Ask, env: Env, path: string, x: ServeExtras): Response | undefined {
  const hot = storeFor(env).peekDocument(path, bodyWanted(ask));
  return hot && answer(ask, path, hot, x);
}

/** Serves the document stored at `path` with one KV read at most, and none when warm. */
export async function serveDocument(ask: Ask, env: Env, waitUntil: WaitUntil, path: string, x: ServeExtras): Promise<Response> {
  let doc: Doc | null;
  try {
    doc = await storeFor(env).getDocument(path, bodyWanted(ask), waitUntil);
  } catch (err) {
    throw err instanceof StorageError ? unavailable(err.message, err.retryAfter) : err;
  }
  if (!doc) throw notFound();
  return answer(ask, path, doc, x);
}
