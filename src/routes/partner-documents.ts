// Partner documents inside the cached Documents entrypoint: served only to the partner the gateway
// named in ctx.props, from the writer's `partner:` KV keys, private to that partner.
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { notFound, unavailable } from '../errors';
import { askOf, bodyWanted, conditional, type ServeExtras } from '../http/serve';
import { SLUG_PATTERN } from '../model/schema';
import { partnerRefusal } from '../credentials/refusal';
import { BoundedMap } from '../store/bounded-map';
import { partnerKey, StorageError, storeFor } from '../store/kv-store';

/** What a `/partners/…` URL names: the partner, and the document path (null when it names no document form). */
export interface PartnerAddress {
  partner: string;
  /** The document's canonical path, `?page=N` included for older list pages; its KV key is partnerKey(doc). */
  doc: string | null;
}

const PAGE = /^[1-9][0-9]{0,5}$/;
const DOC = /^\/partners\/([^/]+)\/(feed\.xml|items\.json|items\/([^/]+)\.json)$/;

/**
 * Parses a partner URL. Only `page` of the query belongs to a document (items.json); every other
 * parameter, `token` included, is dropped from the canonical path. Null when the partner segment is
 * not a partner id at all.
 */
export function partnerAddress(url: URL): PartnerAddress | null {
  const partner = url.pathname.split('/')[2] ?? '';
  if (!url.pathname.startsWith('/partners/') || !SLUG_PATTERN.test(partner)) return null;
  const m = DOC.exec(url.pathname);
  if (!m) return { partner, doc: null };
  const page = url.searchParams.get('page');
  if (m[2] === 'items.json') {
    if (page === null) return { partner, doc: url.pathname };
    return { partner, doc: PAGE.test(page) ? `${url.pathname}?page=${page}` : null };
  }
  if (page !== null) return { partner, doc: null };
  const slug = m[3];
  return { partner, doc: slug === undefined || SLUG_PATTERN.test(slug) ? url.pathname : null };
}

// Private to the partner's own client (this replaces the public lifetime). The edge keeps its copy as
// long as the document's cache class says (Cloudflare-CDN-Cache-Control, set by conditional): that is
// safe because the Documents entrypoint's cache key includes ctx.props, which only the gateway sets,
// and only to the partner whose credential it has just checked; the writer purges the document's tag
// (its KV key) when it rewrites it. No CORS headers: no page on another origin may read a partner's document.
const PRIVATE = { 'Cache-Control': 'private, max-age=60' };

const extras = new BoundedMap<string, ServeExtras>(1024);
const extrasOf = (doc: string) => extras.getOrSet(doc, () => ({ tags: partnerKey(doc), headers: PRIVATE, cors: false }));

export const partnerDocuments = new Hono<AppEnv>();

partnerDocuments.get('/partners/*', async (c) => {
  const url = new URL(c.req.url);
  const address = partnerAddress(url);
  // The props are the gateway's word that this partner's credential was checked on this request.
  const props = c.executionCtx.props as { partner?: unknown } | undefined;
  if (!address || props?.partner !== address.partner) return partnerRefusal(c.req.method === 'HEAD');
  if (!address.doc) throw notFound();
  const ask = askOf(c);
  let doc;
  try {
    doc = await storeFor(c.env).getPartnerDocument(address.doc, bodyWanted(ask), (p) => c.executionCtx.waitUntil(p));
  } catch (err) {
    throw err instanceof StorageError ? unavailable(err.message, err.retryAfter) : err;
  }
  if (!doc) throw notFound();
  return conditional(ask, doc.meta, doc.body, extrasOf(address.doc), `${url.pathname}${url.search}` === address.doc);
});
