// Every stored public document: feeds, scope pages (home included), item pages, players, transcripts,
// the feed directory and sitemaps, all rendered at publish time; one parser (model/paths) names them.
import { config } from '../config';
import { Hono, type MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { notFound } from '../errors';
import { absolute, resolvePath, type PublicTarget } from '../model/paths';
import { askOf, extrasFor, serveDocument, warmDocument, type ServeExtras } from '../http/serve';
import { embedHeaders, pageHeaders } from '../http/secure';
import { BoundedMap } from '../store/bounded-map';

// Pages carry framing and referrer rules; feeds and other stored files need none beyond the app's.
const ROLE_HEADERS: Record<PublicTarget['role'], MiddlewareHandler | undefined> = {
  feed: undefined,
  'scope-page': pageHeaders,
  item: pageHeaders,
  embed: embedHeaders,
  stored: undefined,
};

/** The request's path as sent (percent-encoded), without parsing the whole URL. */
function rawPath(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  const end = url.indexOf('?', start);
  return start < 0 ? '/' : url.slice(start, end < 0 ? undefined : end);
}

/** A resolved public path, its role, and what its answers carry (Cache-Tag, headers), made once per path. */
interface Route {
  path: string;
  role: PublicTarget['role'];
  extras: ServeExtras;
}

const routes = new WeakMap<object, BoundedMap<string, Route | null>>();

/** What a request path names, resolved once per bindings and path; null for what names nothing. */
function routeOf(raw: string, env: Env): Route | null {
  let known = routes.get(env);
  if (!known) routes.set(env, (known = new BoundedMap(4096)));
  return known.getOrSet(raw, () => {
    const target = resolvePath(raw);
    if (!target) return null;
    // WebSub discovery (W3C WebSub §4) in headers as well as in the document.
    const { hubUrl: hub, siteUrl } = config(env);
    const headers =
      target.role === 'feed' && hub ? { Link: `<${hub}>; rel="hub", <${absolute(siteUrl, target.path)}>; rel="self"` } : undefined;
    return { path: target.path, role: target.role, extras: extrasFor(target.path, headers) };
  });
}

type DocumentsEnv = AppEnv & { Variables: { route: Route } };

/** Resolves the path (a 404 for what names nothing) and wraps the answer in its role's headers. */
const routed: MiddlewareHandler<DocumentsEnv> = (c, next) => {
  const route = routeOf(rawPath(c.req.url), c.env);
  if (!route) throw notFound();
  c.set('route', route);
  const roleHeaders = ROLE_HEADERS[route.role];
  return roleHeaders ? roleHeaders(c, next) : next();
};

export const documents = new Hono<DocumentsEnv>();

// The warm path is the first thing the handler tries, inside the app, so a warm answer passes
// through every middleware a cold one does: only where the bytes come from differs.
documents.get('*', routed, (c) => {
  const { path, extras } = c.get('route');
  const ask = askOf(c);
  return warmDocument(ask, c.env, path, extras) ?? serveDocument(ask, c.env, (p) => c.executionCtx.waitUntil(p), path, extras);
});
