// The oEmbed 1.0 provider: resolves only this site's own item URLs, never fetches another host.
import { config } from '../config';
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env';
import { ProblemError, badRequest, notFound, unavailable } from '../errors';
import { OEMBED, resolvePath, type ItemKind } from '../model/paths';
import type { ItemRecord, Site } from '../model/schema';
import { StorageError, storeFor, type DocMeta } from '../store/kv-store';
import { askOf, conditional, type ServeExtras } from '../http/serve';
import { oembedTags } from '../http/edge-cache';
import { oembedAnswer, oembedXml, type Limits } from '../render/oembed';
import { BoundedMap } from '../store/bounded-map';

const PARAMS = new Set(['url', 'format', 'maxwidth', 'maxheight']);

function dimension(params: URLSearchParams, name: 'maxwidth' | 'maxheight'): number | undefined {
  const raw = params.get(name);
  if (raw === null) return undefined;
  if (!/^[1-9][0-9]{0,4}$/.test(raw)) throw badRequest(name, 'must be a whole number of pixels from 1 to 99999');
  return Number(raw);
}

const originOf = (u: URL) => `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;

/**
 * A URL's path as our own links spell it: each segment decoded and encoded again (so "%2d", "%2D" and
 * "-" are one path, and an encoded "/" stays inside its segment), trailing slashes dropped.
 */
function normalizedPath(pathname: string): string {
  try {
    return (
      pathname
        .replace(/\/+$/, '')
        .split('/')
        .map((segment) => encodeURIComponent(decodeURIComponent(segment)))
        .join('/') || '/'
    );
  } catch {
    throw badRequest('url', 'has a malformed percent-encoding');
  }
}

/** The slug and kind behind one of our page URLs (item page or player, query and fragment ignored), or a 404. */
function resolve(siteUrl: string, raw: string): { slug: string; kind: ItemKind } {
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
  // The one parser of the URL contract decides what the path names, as it does for a GET of it.
  const target = resolvePath(normalizedPath(u.pathname));
  if (target?.role !== 'item' && target?.role !== 'embed') throw notFound('url: not an item page of this site.');
  const slug = target.path.slice(target.path.lastIndexOf('/') + 1);
  // Only videos have a player page, so an /embed/ URL names a video too.
  return { slug, kind: target.path.startsWith('/articles/') ? 'article' : 'video' };
}

/** A validated oEmbed request; parameters it does not know (tracking tags) are ignored. */
function parseQuery(c: Context<AppEnv>): {
  slug: string;
  kind: ItemKind;
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
  const { slug, kind } = resolve(config(c.env).siteUrl, url);
  if (format !== 'json' && format !== 'xml') {
    throw new ProblemError(501, `format: "${format}" is not offered; use json or xml`, { field: 'format' });
  }
  return { slug, kind, format, limits, canonical: [...params.keys()].every((k) => PARAMS.has(k)) };
}

type Query = ReturnType<typeof parseQuery>;

// Embedding sites ask with the same few query strings again and again: each is parsed once per isolate.
const queries = new BoundedMap<string, Query>(1024);

function queryOnce(c: Context<AppEnv>): Query {
  const url = c.req.url;
  return queries.getOrSet(`${config(c.env).siteUrl} ${url.slice(url.indexOf('?') + 1 || url.length)}`, () => parseQuery(c));
}

interface Built {
  body: Uint8Array;
  meta: DocMeta;
  extras: ServeExtras;
}

// A warm item record keeps its metadata object, so each answer is built once per item and query
// (the bench measured oEmbed at 0.70 of a constant Worker without this, 0.85 with it).
const answers = new WeakMap<DocMeta, BoundedMap<string, Built>>();

function build(q: Query, found: { stored: { item: ItemRecord; site: Site }; meta: DocMeta }): Built {
  const { item, site } = found.stored;
  const answer = oembedAnswer(site, item, q.limits);
  // Same record and same parameters give the same bytes, so the validator is derived, not hashed.
  const tag = `${found.meta.etag.slice(1, -1)}.${q.format}.${answer.width ?? 0}x${answer.height ?? 0}.${answer.thumbnail_width ?? 0}`;
  return {
    body: new TextEncoder().encode(q.format === 'json' ? JSON.stringify(answer) : oembedXml(answer)),
    meta: {
      etag: `"${tag}"`,
      lastModified: found.meta.lastModified,
      type: q.format === 'json' ? 'application/json; charset=utf-8' : 'text/xml; charset=utf-8',
      cache: 'item',
      rv: found.meta.rv,
    },
    extras: { tags: q.slug === item.slug ? oembedTags(item.slug) : `${oembedTags(q.slug)},${oembedTags(item.slug)}` },
  };
}

export const oembed = new Hono<AppEnv>();

oembed.get(OEMBED, async (c) => {
  const q = queryOnce(c);
  const store = storeFor(c.env);
  const waitUntil = (p: Promise<unknown>) => c.executionCtx.waitUntil(p);
  let found;
  try {
    found = await store.getItem(q.slug, waitUntil);
    // A renamed item's old address answers for the item where it lives now.
    if (found && 'movedTo' in found.stored) found = await store.getItem(found.stored.movedTo, waitUntil);
  } catch (err) {
    if (err instanceof StorageError) throw unavailable(err.message, err.retryAfter);
    throw err;
  }
  if (!found || !('item' in found.stored)) throw notFound('url: no item is published at that address.');
  // An old address answers for the renamed item whatever its kind now; a live one only for its own kind.
  if (q.slug === found.stored.item.slug && found.stored.item.kind !== q.kind) throw notFound('url: no item is published at that address.');
  let memo = answers.get(found.meta);
  if (!memo) answers.set(found.meta, (memo = new BoundedMap(32)));
  const stored = found.stored;
  const meta = found.meta;
  const built = memo.getOrSet(`${q.slug} ${q.format} ${q.limits.maxwidth ?? ''} ${q.limits.maxheight ?? ''}`, () =>
    build(q, { stored, meta }),
  );
  return conditional(askOf(c), built.meta, built.body, built.extras, q.canonical);
});
