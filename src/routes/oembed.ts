// The oEmbed 1.0 provider: resolves only this site's own item URLs, never fetches another host.
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env';
import { ProblemError, badRequest, notFound, unavailable } from '../errors';
import { OEMBED } from '../model/paths';
import { SLUG_PATTERN } from '../model/schema';
import { StorageError, storeFor, type DocMeta } from '../store/kv-store';
import { conditional } from '../http/serve';
import { oembedTags } from '../http/edge-cache';
import { oembedAnswer, oembedXml, type Limits } from '../render/oembed';

const PARAMS = new Set(['url', 'format', 'maxwidth', 'maxheight']);

function dimension(params: URLSearchParams, name: 'maxwidth' | 'maxheight'): number | undefined {
  const raw = params.get(name);
  if (raw === null) return undefined;
  if (!/^[1-9][0-9]{0,4}$/.test(raw)) throw badRequest(name, 'must be a whole number of pixels from 1 to 99999');
  return Number(raw);
}

const originOf = (u: URL) => `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;

/** The slug and kind behind one of our page URLs (item page or player, query and fragment ignored), or a 404. */
function resolve(siteUrl: string, raw: string): { slug: string; kind: 'video' | 'article' } {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw badRequest('url', 'must be an absolute URL of one of our item pages');
  }
  const site = new URL(siteUrl);
  // http and https of our own host are the same page; any other host is not ours to describe.
  const sameHost =
    (u.protocol === 'http:' || u.protocol === 'https:') && (originOf(u) === originOf(site) || (u.hostname === site.hostname && !u.port));
  if (!sameHost) throw notFound("url: only this site's item pages have oEmbed answers.");
  let path: string;
  try {
    path = decodeURIComponent(u.pathname).replace(/\/+$/, '');
  } catch {
    throw badRequest('url', 'has a malformed percent-encoding');
  }
  const m = /^\/(videos|articles|embed)\/([^/]+)$/.exec(path);
  if (!m || !SLUG_PATTERN.test(m[2] as string)) throw notFound('url: not an item page of this site.');
  // Only videos have a player page, so an /embed/ URL names a video too.
  return { slug: m[2] as string, kind: m[1] === 'articles' ? 'article' : 'video' };
}

/** A validated oEmbed request; parameters it does not know (tracking tags) are ignored. */
function parseQuery(c: Context<AppEnv>): {
  slug: string;
  kind: 'video' | 'article';
  format: 'json' | 'xml';
  limits: Limits;
  canonical: boolean;
} {
  const params = new URL(c.req.url).searchParams;
  const url = params.get('url');
  if (!url) throw badRequest('url', 'is required: the address of the item page to embed');
  const format = params.get('format') ?? 'json';
  const limits: Limits = {};
  const mw = dimension(params, 'maxwidth');
  const mh = dimension(params, 'maxheight');
  if (mw !== undefined) limits.maxwidth = mw;
  if (mh !== undefined) limits.maxheight = mh;
  const { slug, kind } = resolve(c.env.SITE_URL, url);
  if (format !== 'json' && format !== 'xml') {
    throw new ProblemError(501, `format: "${format}" is not offered; use json or xml`, { field: 'format' });
  }
  return { slug, kind, format, limits, canonical: [...params.keys()].every((k) => PARAMS.has(k)) };
}

export const oembed = new Hono<AppEnv>();

oembed.get(OEMBED, async (c) => {
  const q = parseQuery(c);
  const store = storeFor(c.env, (p) => c.executionCtx.waitUntil(p));
  let found;
  try {
    found = await store.getItem(q.slug);
    // A renamed item's old address answers for the item where it lives now.
    if (found && 'movedTo' in found.stored) found = await store.getItem(found.stored.movedTo);
  } catch (err) {
    if (err instanceof StorageError) throw unavailable(err.message, err.retryAfter);
    throw err;
  }
  if (!found || !('item' in found.stored)) throw notFound('url: no item is published at that address.');
  const { item, site } = found.stored;
  // An old address answers for the renamed item whatever its kind now; a live one only for its own kind.
  if (q.slug === item.slug && item.kind !== q.kind) throw notFound('url: no item is published at that address.');
  const answer = oembedAnswer(site, item, q.limits);
  const body = new TextEncoder().encode(q.format === 'json' ? JSON.stringify(answer) : oembedXml(answer));
  // Same record and same parameters give the same bytes, so the validator is derived, not hashed.
  const tag = `${found.meta.etag.slice(1, -1)}.${q.format}.${answer.width ?? 0}x${answer.height ?? 0}.${answer.thumbnail_width ?? 0}`;
  const meta: DocMeta = {
    etag: `"${tag}"`,
    lastModified: found.meta.lastModified,
    type: q.format === 'json' ? 'application/json; charset=utf-8' : 'text/xml; charset=utf-8',
    cache: 'item',
    rv: found.meta.rv,
  };
  const tags = q.slug === item.slug ? oembedTags(item.slug) : `${oembedTags(q.slug)},${oembedTags(item.slug)}`;
  return conditional(c, OEMBED, meta, body, { tags, canonical: q.canonical });
});
