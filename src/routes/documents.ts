// Every stored public document: feeds, scope pages (home included), item pages, players, transcripts,
// the feed directory and sitemaps, all rendered at publish time; one parser (model/paths) names them.
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env';
import { notFound } from '../errors';
import { absolute, resolvePath, type PublicTarget } from '../model/paths';
import { askOf, extrasFor, serveDocument, warmDocument, type ServeExtras } from '../http/serve';

// Other sites frame the player, sandboxed or not: allow any ancestor, and nothing else.
const EMBED_HEADERS = {
  'Content-Security-Policy':
    "frame-ancestors *; default-src 'none'; media-src 'self' https: http:; img-src 'self' https: http:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
  'Referrer-Policy': 'strict-origin-when-cross-origin',
};

const PAGE_HEADERS = { 'Content-Security-Policy': "frame-ancestors 'self'", 'Referrer-Policy': 'strict-origin-when-cross-origin' };

const ROLE_HEADERS: Record<PublicTarget['role'], Record<string, string> | undefined> = {
  feed: undefined,
  'scope-page': PAGE_HEADERS,
  item: PAGE_HEADERS,
  embed: EMBED_HEADERS,
  stored: undefined,
};

/** The request's path as sent (percent-encoded), without parsing the whole URL. */
function rawPath(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  const end = url.indexOf('?', start);
  return start < 0 ? '/' : url.slice(start, end < 0 ? undefined : end);
}

/** A resolved public path and what its answers carry (Cache-Tag, headers), made once per path. */
interface Route {
  path: string;
  extras: ServeExtras;
}

const routes = new WeakMap<object, Map<string, Route | null>>();

/** What a request path names, resolved once per bindings and path; null for what names nothing. */
function routeOf(raw: string, env: Env): Route | null {
  let known = routes.get(env);
  if (!known) routes.set(env, (known = new Map()));
  let route = known.get(raw);
  if (route === undefined) {
    const target = resolvePath(raw);
    // WebSub discovery (W3C WebSub §4) in headers as well as in the document.
    const hub = env.HUB_URL;
    const headers =
      target?.role === 'feed' && hub
        ? { Link: `<${hub}>; rel="hub", <${absolute(env.SITE_URL, target.path)}>; rel="self"` }
        : target
          ? ROLE_HEADERS[target.role]
          : undefined;
    route = target && { path: target.path, extras: extrasFor(target.path, headers) };
    if (known.size >= 4096) known.delete(known.keys().next().value as string);
    known.set(raw, route);
  }
  return route;
}

/**
 * The warm path, ahead of the router: a GET or HEAD of a document this isolate holds fresh is
 * answered without building a request context (the bench's hottest paths). Anything else: undefined.
 */
export function warmAnswer(req: Request, env: Env): Response | undefined {
  const method = req.method;
  if (method !== 'GET' && method !== 'HEAD') return undefined;
  const url = req.url;
  const route = routeOf(rawPath(url), env);
  return route ? warmDocument(askOf(req, url), env, route.path, route.extras) : undefined;
}

export const documents = new Hono<AppEnv>();
documents.get('*', (c: Context<AppEnv>) => {
  const route = routeOf(rawPath(c.req.url), c.env);
  if (!route) throw notFound();
  return serveDocument(askOf(c.req.raw), c.env, (p) => c.executionCtx.waitUntil(p), route.path, route.extras);
});
