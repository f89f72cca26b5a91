// Answers GET/HEAD with a stored document: validators, 304s, cache lifetimes and CORS.
import type { Context } from 'hono';
import type { AppEnv } from '../env';
import { badRequest, notFound } from '../errors';
import { storeFor, type CacheClass, type DocMeta } from '../store/kv-store';
import { REDIRECT } from '../model/paths';

// Subscription feeds change on publish; full archive pages only when an old item is edited.
const CACHE_CONTROL: Record<CacheClass, string> = {
  current: 'public, max-age=60, s-maxage=60, stale-while-revalidate=300, stale-if-error=86400',
  archive: 'public, max-age=86400, s-maxage=604800, stale-while-revalidate=86400, stale-if-error=604800',
  page: 'public, max-age=60, s-maxage=300, stale-while-revalidate=600, stale-if-error=86400',
  item: 'public, max-age=300, s-maxage=300, stale-while-revalidate=3600, stale-if-error=86400',
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

type HeaderList = [string, string][];

/**
 * Headers for a full answer and for a 304 (no Content-Type). Response copies a Headers object
 * natively, while a list is converted string by string on every request.
 */
interface Prepared {
  full: Headers;
  notModified: Headers;
}

const NO_EXTRA: Record<string, string> = {};

// A warm document keeps the same metadata object and routes pass constant `extra` objects, so
// each document's headers are built once rather than on every request.
const prepared = new WeakMap<DocMeta, WeakMap<object, Prepared>>();

/** Validators, lifetimes and CORS for a response built from stored metadata. */
function headersFor(meta: DocMeta, extra: Record<string, string>): Prepared {
  let byExtra = prepared.get(meta);
  if (!byExtra) prepared.set(meta, (byExtra = new WeakMap()));
  let p = byExtra.get(extra);
  if (!p) {
    const common: HeaderList = [
      ['ETag', meta.etag],
      ['Last-Modified', meta.lastModified],
      ['Cache-Control', CACHE_CONTROL[meta.cache]],
      ...Object.entries(PUBLIC_HEADERS),
      ...Object.entries(extra),
    ];
    p = { full: new Headers([['Content-Type', meta.type], ...common]), notModified: new Headers(common) };
    byExtra.set(extra, p);
  }
  return p;
}

/**
 * A 304 or a full answer, for a body already in hand. Pass the same `meta` and `extra` objects for
 * the same answer so their headers are reused.
 */
export function conditional(c: Context<AppEnv>, meta: DocMeta, body: string | Uint8Array, extra = NO_EXTRA): Response {
  const h = headersFor(meta, extra);
  if (isNotModified(meta, c.req.header('If-None-Match'), c.req.header('If-Modified-Since'))) {
    return new Response(null, { status: 304, headers: h.notModified });
  }
  return new Response(c.req.method === 'HEAD' ? null : body, { status: 200, headers: h.full });
}

/** Rejects any query parameter not in `allowed`, so junk neither busts caches nor goes unnoticed. */
export function onlyParams(c: Context<AppEnv>, allowed: readonly string[], params?: URLSearchParams): void {
  if (!params && !c.req.url.includes('?')) return;
  for (const key of (params ?? new URL(c.req.url).searchParams).keys()) {
    if (!allowed.includes(key)) throw badRequest(key, `unknown query parameter; this address takes ${allowed.length ? allowed.join(', ') : 'none'}`);
  }
}

/** Serves the document stored at `path` with one KV read at most (none when warm). */
export async function serveDocument(c: Context<AppEnv>, path: string, extra = NO_EXTRA): Promise<Response> {
  onlyParams(c, []);
  const inm = c.req.header('If-None-Match');
  const ims = c.req.header('If-Modified-Since');
  const doc = await storeFor(c.env).getDocument(path, (meta) => meta.type === REDIRECT || !isNotModified(meta, inm, ims));
  if (!doc) throw notFound();
  if (doc.meta.type === REDIRECT) {
    // A renamed item's old address: permanent, so readers and search engines update their links.
    const location = new TextDecoder().decode(doc.body);
    return new Response(null, { status: 301, headers: { Location: location, 'Cache-Control': 'public, max-age=3600', ...PUBLIC_HEADERS } });
  }
  return conditional(c, doc.meta, doc.body, extra);
}
