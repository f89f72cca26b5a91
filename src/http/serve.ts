// Answers GET/HEAD with a stored document: validators, 304s, 301s and 410s, cache lifetimes, tags and CORS.
import type { Context } from 'hono';
import type { AppEnv } from '../env';
import { notFound, unavailable } from '../errors';
import { GONE, REDIRECT, type Scope } from '../model/paths';
import { StorageError, storeFor, type CacheClass, type DocMeta } from '../store/kv-store';
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

/** Headers every public GET carries. */
export const PUBLIC_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'ETag, Last-Modified, Link',
  'X-Content-Type-Options': 'nosniff',
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

/** What a route adds to a stored answer: the scope (for its Cache-Tag) and constant headers. */
export interface ServeExtras {
  scope?: Scope;
  headers?: Record<string, string>;
  /** The Cache-Tag value, when it is not the document's own (oEmbed names the item it was built from). */
  tags?: string;
  /** Whether this URL is the one cached copy; by default, when it has no query string. */
  canonical?: boolean;
}

/**
 * A 304 or a full answer, for a body already in hand. Query parameters the path does not use
 * (utm_*, fbclid…) change nothing in the answer; they only keep it out of the edge cache, so one
 * cached copy per document serves everyone.
 */
export function conditional(c: Context<AppEnv>, path: string, meta: DocMeta, body: Uint8Array, x: ServeExtras = {}): Response {
  const life = LIFETIMES[meta.cache];
  const h = new Headers({
    ETag: meta.etag,
    'Last-Modified': meta.lastModified,
    'Cache-Control': life.browser,
    'Cloudflare-CDN-Cache-Control': (x.canonical ?? !c.req.url.includes('?')) ? life.edge : 'no-store',
    'Cache-Tag': x.tags ?? cacheTags(path, x.scope),
    ...PUBLIC_HEADERS,
    ...x.headers,
  });
  if (isNotModified(meta, c.req.header('If-None-Match'), c.req.header('If-Modified-Since'))) {
    return new Response(null, { status: 304, headers: h });
  }
  h.set('Content-Type', meta.type);
  h.set('Content-Length', String(body.byteLength));
  return new Response(c.req.method === 'HEAD' ? null : body, { status: 200, headers: h });
}

/** Prefers JSON only when the client names it ahead of HTML (APIs, scripts), never for browsers. */
function wantsJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const json = accept.search(/application\/(?:problem\+)?json/);
  const html = accept.indexOf('text/html');
  return json >= 0 && (html < 0 || json < html);
}

/** The 410 for a withdrawn item's address: a small page for people, problem+json for programs. */
function gone(c: Context<AppEnv>, path: string, body: Uint8Array): Response {
  const headers = { 'Cache-Control': 'public, max-age=300', 'Cache-Tag': cacheTags(path), Vary: 'Accept', ...PUBLIC_HEADERS };
  if (wantsJson(c.req.header('Accept'))) {
    const problem = {
      type: 'about:blank',
      title: 'Gone',
      status: 410,
      detail: 'This item has been withdrawn and will not come back at this address.',
      instance: path,
    };
    const json = JSON.stringify(problem);
    return new Response(c.req.method === 'HEAD' ? null : json, {
      status: 410,
      headers: { ...headers, 'Content-Type': 'application/problem+json; charset=utf-8' },
    });
  }
  const html = { ...headers, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': String(body.byteLength) };
  return new Response(c.req.method === 'HEAD' ? null : body, { status: 410, headers: html });
}

/** Serves the document stored at `path` with one KV read at most (none when warm). */
export async function serveDocument(c: Context<AppEnv>, path: string, x: ServeExtras = {}): Promise<Response> {
  const inm = c.req.header('If-None-Match');
  const ims = c.req.header('If-Modified-Since');
  let doc;
  try {
    doc = await storeFor(c.env, (p) => c.executionCtx.waitUntil(p)).getDocument(
      path,
      (meta) => meta.type === REDIRECT || meta.type === GONE || !isNotModified(meta, inm, ims),
    );
  } catch (err) {
    if (err instanceof StorageError) throw unavailable(err.message, err.retryAfter);
    throw err;
  }
  if (!doc) throw notFound();
  if (doc.meta.type === REDIRECT) {
    // A renamed item's old address: permanent, so readers and search engines update their links.
    const location = new TextDecoder().decode(doc.body);
    return new Response(null, {
      status: 301,
      headers: { Location: location, 'Cache-Control': 'public, max-age=3600', 'Cache-Tag': cacheTags(path), ...PUBLIC_HEADERS },
    });
  }
  if (doc.meta.type === GONE) return gone(c, path, doc.body);
  return conditional(c, path, doc.meta, doc.body, x);
}
