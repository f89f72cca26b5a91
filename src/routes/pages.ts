// HTML routes and other stored documents: scope pages (home included), item pages, the player,
// transcripts, the feed directory and sitemaps, all rendered at publish time.
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env';
import { notFound } from '../errors';
import { DIRECTORY, NEWS_SITEMAP, OPML, ROUTES, SCOPES_SITEMAP, SITEMAP_INDEX, pagePath, scopeFromRoute } from '../model/paths';
import { serveDocument } from '../http/serve';

// Other sites frame the player, sandboxed or not: allow any ancestor, and nothing else.
const EMBED_HEADERS = {
  'Content-Security-Policy':
    "frame-ancestors *; default-src 'none'; media-src 'self' https: http:; img-src 'self' https: http:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
  'Referrer-Policy': 'strict-origin-when-cross-origin',
};

const PAGE_HEADERS = { 'Content-Security-Policy': "frame-ancestors 'self'", 'Referrer-Policy': 'strict-origin-when-cross-origin' };

function scopePage(c: Context<AppEnv>) {
  const scope = scopeFromRoute(c.req.path, c.req.param());
  if (scope === null) throw notFound();
  return serveDocument(c, pagePath(scope, Number(c.req.param('page') ?? 0)), { scope, headers: PAGE_HEADERS });
}

const stored = (c: Context<AppEnv>) => serveDocument(c, c.req.path);

export const pages = new Hono<AppEnv>();
for (const scope of ROUTES.scopes) {
  pages.get(scope || '/', scopePage);
  pages.get(`${scope}${ROUTES.archivePage}`, scopePage);
}
pages.get(ROUTES.item, (c) => serveDocument(c, c.req.path, { headers: PAGE_HEADERS }));
pages.get(ROUTES.embed, (c) => serveDocument(c, c.req.path, { headers: EMBED_HEADERS }));
pages.get(ROUTES.transcript, stored);
pages.get(DIRECTORY, (c) => serveDocument(c, DIRECTORY, { headers: PAGE_HEADERS }));
for (const path of [OPML, SITEMAP_INDEX, NEWS_SITEMAP, SCOPES_SITEMAP, ROUTES.sitemapPage]) pages.get(path, stored);
