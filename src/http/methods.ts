// What a public address answers to a method no route takes: CORS preflights (204) and 405s.
import type { Context } from 'hono';
import { ProblemError, notFound, problemResponse } from '../errors';

/** Every public address is read-only. */
const ALLOW = 'GET, HEAD, OPTIONS';

// Browsers ask before a cross-origin revalidation (If-None-Match is not a safelisted header); the
// answer holds for every public address, so they may keep it a day.
const PREFLIGHT = {
  Allow: ALLOW,
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': ALLOW,
  'Access-Control-Allow-Headers': 'If-None-Match, If-Modified-Since',
  'Access-Control-Max-Age': '86400',
  'Cache-Control': 'public, max-age=86400',
} as const;

const isApi = (path: string) => path === '/api' || path.startsWith('/api/');

/**
 * The app's answer when no route matched. Public routes take only GET (and HEAD through it), so
 * here an OPTIONS is a preflight and any other method is refused with 405 naming what is allowed;
 * a GET or HEAD names nothing (404). The API keeps its own answers: 404 for anything it lacks.
 */
export function unrouted(c: Context): Response {
  const method = c.req.method;
  if (isApi(c.req.path) || method === 'GET' || method === 'HEAD') return problemResponse(c, notFound());
  if (method === 'OPTIONS') return new Response(null, { status: 204, headers: PREFLIGHT });
  return problemResponse(
    c,
    new ProblemError(405, `${method} is not allowed here: public addresses answer only ${ALLOW}.`, {}, { Allow: ALLOW }),
  );
}
