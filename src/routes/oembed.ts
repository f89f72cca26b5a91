// The oEmbed 1.0 provider: resolves only this site's own item URLs, never fetches another host.
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { ProblemError, badRequest, notFound } from '../errors';
import { SLUG_PATTERN } from '../model/schema';
import { storeFor, type DocMeta } from '../store/kv-store';
import { conditional, onlyParams } from '../http/serve';
import { oembedAnswer, oembedXml, type Limits } from '../render/oembed';

const PARAMS = ['url', 'format', 'maxwidth', 'maxheight'] as const;

// A warm item keeps the same metadata object, so its answers are built once per normalised query.
const answers = new WeakMap<object, Map<string, { body: Uint8Array; meta: DocMeta }>>();
const ANSWERS_PER_ITEM = 32;

function dimension(params: URLSearchParams, name: 'maxwidth' | 'maxheight'): number | undefined {
  const raw = params.get(name);
  if (raw === null) return undefined;
  if (!/^[1-9][0-9]{0,4}$/.test(raw)) throw badRequest(name, 'must be a whole number of pixels from 1 to 99999');
  return Number(raw);
}

const originOf = (u: URL) => `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;

/** The slug and kind behind one of our page URLs, or a 404 for anything else. */
function resolve(siteUrl: string, raw: string): { slug: string; kind: 'video' | 'article' } {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw badRequest('url', 'must be an absolute URL of one of our item pages');
  }
  const site = new URL(siteUrl);
  // http and https of our own host are the same page; any other host is not ours to describe.
  const sameHost = (u.protocol === 'http:' || u.protocol === 'https:') && (originOf(u) === originOf(site) || (u.hostname === site.hostname && !u.port));
  if (!sameHost) throw notFound('url: only this site\'s item pages have oEmbed answers.');
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

// Embeds are requested for the same few pages again and again; remember what a URL resolved to.
const resolved = new Map<string, ReturnType<typeof resolve>>();

function resolveOnce(siteUrl: string, raw: string): ReturnType<typeof resolve> {
  const key = `${siteUrl} ${raw}`;
  let target = resolved.get(key);
  if (!target) {
    target = resolve(siteUrl, raw);
    if (resolved.size >= 1024) resolved.delete(resolved.keys().next().value as string);
    resolved.set(key, target);
  }
  return target;
}

export const oembed = new Hono<AppEnv>();

oembed.get('/oembed', async (c) => {
  const params = new URL(c.req.url).searchParams;
  onlyParams(c, PARAMS, params);
  const url = params.get('url');
  if (!url) throw badRequest('url', 'is required: the address of the item page to embed');
  const format = params.get('format') ?? 'json';
  const limits: Limits = {};
  const mw = dimension(params, 'maxwidth');
  const mh = dimension(params, 'maxheight');
  if (mw !== undefined) limits.maxwidth = mw;
  if (mh !== undefined) limits.maxheight = mh;
  const target = resolveOnce(c.env.SITE_URL, url);
  if (format !== 'json' && format !== 'xml') {
    throw new ProblemError(501, 'Not Implemented', `format: "${format}" is not offered; use json or xml`, { field: 'format' });
  }
  const found = await storeFor(c.env).getItem(target.slug);
  if (!found || found.item.kind !== target.kind) throw notFound('url: no item is published at that address.');
  const key = `${format} ${limits.maxwidth ?? ''} ${limits.maxheight ?? ''}`;
  let memo = answers.get(found.meta);
  if (!memo) answers.set(found.meta, (memo = new Map()));
  let built = memo.get(key);
  if (!built) {
    const answer = oembedAnswer(found.site, found.item, limits);
    // Same record and same normalised parameters give the same bytes, so the validator is derived, not hashed per request.
    const tag = `${found.meta.etag.slice(1, -1)}.${format}.${answer.width ?? 0}x${answer.height ?? 0}.${answer.thumbnail_width ?? 0}`;
    built = {
      body: new TextEncoder().encode(format === 'json' ? JSON.stringify(answer) : oembedXml(answer)),
      meta: {
        etag: `"${tag}"`,
        lastModified: found.meta.lastModified,
        type: format === 'json' ? 'application/json; charset=utf-8' : 'text/xml; charset=utf-8',
        cache: 'item',
      },
    };
    if (memo.size >= ANSWERS_PER_ITEM) memo.delete(memo.keys().next().value as string);
    memo.set(key, built);
  }
  return conditional(c, built.meta, built.body);
});
