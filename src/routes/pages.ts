// HTML routes: the home page, item pages and the embeddable player, all pre-rendered at publish time.
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { serveDocument } from '../http/serve';

const SLUG = ':slug{[a-z0-9]+(?:-[a-z0-9]+)*}';

// Other sites frame the player, sandboxed or not: allow any ancestor, and nothing else.
const EMBED_HEADERS = {
  'Content-Security-Policy':
    "frame-ancestors *; default-src 'none'; media-src 'self' https: http:; img-src 'self' https: http:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
  'Referrer-Policy': 'strict-origin-when-cross-origin',
};

const PAGE_HEADERS = { 'Content-Security-Policy': "frame-ancestors 'self'", 'Referrer-Policy': 'strict-origin-when-cross-origin' };

export const pages = new Hono<AppEnv>();
pages.get('/', (c) => serveDocument(c, '/', PAGE_HEADERS));
pages.get(`/:kind{videos|articles}/${SLUG}`, (c) => serveDocument(c, c.req.path, PAGE_HEADERS));
pages.get(`/embed/${SLUG}`, (c) => serveDocument(c, c.req.path, EMBED_HEADERS));
pages.get('/sitemap.xml', (c) => serveDocument(c, '/sitemap.xml'));
pages.get('/sitemaps/:page{[1-9][0-9]{0,6}\\.xml}', (c) => serveDocument(c, c.req.path));
