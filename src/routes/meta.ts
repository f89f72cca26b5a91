// Small public routes that are not stored documents: health, robots.txt and the feeds' stylesheet.
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { CONTENT_TYPES, FEED_STYLE, SITEMAP_INDEX, absolute } from '../model/paths';
import { PUBLIC_HEADERS } from '../http/serve';
import { FEED_CSS } from '../render/feed-style';
import { RENDER_VERSION } from '../render/version';

export const meta = new Hono<AppEnv>();

meta.get('/healthz', (c) => c.json({ status: 'ok' }, 200, { 'Cache-Control': 'no-store', ...PUBLIC_HEADERS }));

meta.get('/robots.txt', (c) => {
  const body = `User-agent: *\nAllow: /\nDisallow: /api/\n\nSitemap: ${absolute(c.env.SITE_URL, SITEMAP_INDEX)}\n`;
  return c.text(body, 200, { 'Cache-Control': 'public, max-age=86400', ...PUBLIC_HEADERS });
});

// Versioned with the renderers: a changed stylesheet comes with a render version, and a new ETag.
meta.get(FEED_STYLE, (c) => {
  const headers = {
    'Content-Type': CONTENT_TYPES.css,
    'Cache-Control': 'public, max-age=86400',
    ETag: `"css-${RENDER_VERSION}"`,
    ...PUBLIC_HEADERS,
  };
  return new Response(c.req.method === 'HEAD' ? null : FEED_CSS, { headers });
});
