// Feed routes: every scope's subscription document and archive pages in RSS, Atom and JSON Feed.
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env';
import { notFound } from '../errors';
import { ROUTES, absolute, feedPath, scopeFromRoute, type FeedFormat } from '../model/paths';
import { serveDocument } from '../http/serve';

/** WebSub discovery (W3C WebSub §4) in headers as well as in the document. */
function serveFeed(c: Context<AppEnv>) {
  const scope = scopeFromRoute(c.req.path, c.req.param());
  if (scope === null) throw notFound();
  const format = (c.req.param('file') ?? '').slice('feed.'.length) as FeedFormat;
  const path = feedPath(scope, format, Number(c.req.param('page') ?? 0));
  const hub = c.env.HUB_URL;
  return serveDocument(c, path, {
    scope,
    ...(hub ? { headers: { Link: `<${hub}>; rel="hub", <${absolute(c.env.SITE_URL, path)}>; rel="self"` } } : {}),
  });
}

export const feeds = new Hono<AppEnv>();
for (const scope of ROUTES.scopes) {
  feeds.get(`${scope}${ROUTES.feed}`, serveFeed);
  feeds.get(`${scope}${ROUTES.archiveFeed}`, serveFeed);
}
