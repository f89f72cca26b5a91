// Small public routes: health, robots.txt.
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { absolute } from '../model/paths';
import { onlyParams, PUBLIC_HEADERS } from '../http/serve';

export const meta = new Hono<AppEnv>();

meta.get('/healthz', (c) => {
  onlyParams(c, []);
  return c.json({ status: 'ok' }, 200, { 'Cache-Control': 'no-store', ...PUBLIC_HEADERS });
});

meta.get('/robots.txt', (c) => {
  onlyParams(c, []);
  const body = `User-agent: *\nAllow: /\nDisallow: /api/\n\nSitemap: ${absolute(c.env.SITE_URL, '/sitemap.xml')}\n`;
  return c.text(body, 200, { 'Cache-Control': 'public, max-age=86400', ...PUBLIC_HEADERS });
});
