// Small public routes that are not stored documents: health, robots.txt and the feeds' stylesheet.
import { config } from '../config';
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env';
import { CONTENT_TYPES, FEED_STYLE, SITEMAP_INDEX, absolute } from '../model/paths';
import { quickHash } from '../model/hash';
import type { CacheClass, DocMeta } from '../store/kv-store';
import { PUBLIC_HEADERS, askOf, conditional, extrasFor, type ServeExtras } from '../http/serve';
import { FEED_CSS } from '../render/feed-style';
import { RENDER_VERSION } from '../render/version';
import { BoundedMap } from '../store/bounded-map';

export const meta = new Hono<AppEnv>();

const HEALTH = new TextEncoder().encode(JSON.stringify({ status: 'ok' }));

meta.get(
  '/healthz',
  (c) =>
    new Response(c.req.method === 'HEAD' ? null : HEALTH, {
      headers: {
        'Content-Type': 'application/json',
        'Content-Length': String(HEALTH.byteLength),
        'Cache-Control': 'no-store',
        ...PUBLIC_HEADERS,
      },
    }),
);

/** A text made by the code (not by the writer), as a stored document: bytes, validator, tags. */
interface Fixed {
  meta: DocMeta;
  body: Uint8Array;
  extras: ServeExtras;
}

// Keyed by path and text, so each is encoded and hashed once per isolate, and its DocMeta keeps one
// identity for serve's prepared headers. Only a changed SITE_URL makes another robots.txt.
const fixed = new BoundedMap<string, Fixed>(16);

const fixedDoc = (path: string, type: string, cache: CacheClass, text: string): Fixed =>
  fixed.getOrSet(`${path}\n${text}`, () => ({
    // No Last-Modified: nothing dates these bytes but the deploy that made them.
    meta: { etag: `"${quickHash(text)}"`, lastModified: '', type, cache, rv: RENDER_VERSION },
    body: new TextEncoder().encode(text),
    extras: extrasFor(path),
  }));

/** Answers a fixed text through the stored documents' conditional path (ETag, 304, HEAD length, edge lifetime). */
function serveFixed(c: Context<AppEnv>, path: string, type: string, cache: CacheClass, text: string): Response {
  const f = fixedDoc(path, type, cache, text);
  return conditional(askOf(c), f.meta, f.body, f.extras);
}

// Its text lives here, outside the render version, so nothing purges it on a deploy: a short life.
meta.get('/robots.txt', (c) =>
  serveFixed(
    c,
    '/robots.txt',
    CONTENT_TYPES.text,
    'item',
    `User-agent: *\nAllow: /\nDisallow: /api/\n\nSitemap: ${absolute(config(c.env).siteUrl, SITEMAP_INDEX)}\n`,
  ),
);

// A renderer's output: a changed stylesheet comes with a new render version, whose rebuild ends by
// purging the whole edge cache, so it may live as long as archive pages do.
meta.get(FEED_STYLE, (c) => serveFixed(c, FEED_STYLE, CONTENT_TYPES.css, 'archive', FEED_CSS));
