// The oEmbed 1.0 provider: resolves only this site's own item URLs, never fetches another host.
import { Hono, type Context } from 'hono';
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

/** A validated oEmbed request: which item, which format, which limits, and its memo key. */
interface Query {
  target: ReturnType<typeof resolve>;
  format: 'json' | 'xml';
  limits: Limits;
  key: string;
}

/** Checks every parameter; throws the problem a client should hear. */
function parseQuery(c: Context<AppEnv>): Query {
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
  const target = resolve(c.env.SITE_URL, url);
  if (format !== 'json' && format !== 'xml') {
    throw new ProblemError(501, 'Not Implemented', `format: "${format}" is not offered; use json or xml`, { field: 'format' });
  }
  return { target, format, limits, key: `${format} ${limits.maxwidth ?? ''} ${limits.maxheight ?? ''}` };
}

// Embeds ask for the same few query strings again and again: each valid one is parsed once.
const queries = new Map<string, Query>();

function queryOnce(c: Context<AppEnv>): Query {
  const url = c.req.url;
  const key = `${c.env.SITE_URL} ${url.slice(url.indexOf('?') + 1 || url.length)}`;
  let q = queries.get(key);
  if (!q) {
    q = parseQuery(c);
    if (queries.size >= 1024) queries.delete(queries.keys().next().value as string);
    queries.set(key, q);
  }
  return q;
}

export const oembed = new Hono<AppEnv>();

oembed.get('/oembed', async (c) => {
  const { target, format, limits, key } = queryOnce(c);
  const found = await storeFor(c.env).getItem(target.slug);
  if (!found || found.item.kind !== target.kind) throw notFound('url: no item is published at that address.');
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
