// A small client for wirefeed's newsroom API, shared by the sync and status CLIs: JSON in and out, the
// bearer token, a count of requests by route, and a retry when the writer says to repeat (503).

/**
 * @typedef {{ status: number, ok: boolean, body: any }} ApiAnswer
 * @typedef {{ call: (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<ApiAnswer>, requests: Record<string, number> }} ApiClient
 */

/** A route's name for the request counts: the method and the path without slugs or queries. */
function routeOf(method, path) {
  const p = path.split('?')[0] ?? '';
  return `${method} ${p.replace(/^(\/api\/items)\/.+$/, '$1/:slug').replace(/^(\/api\/partners)\/[^/]+/, '$1/:id')}`;
}

/**
 * @param {string} url the deployment, e.g. http://127.0.0.1:8787
 * @param {string} token the API token
 * @returns {ApiClient}
 */
export function apiClient(url, token) {
  /** @type {Record<string, number>} */
  const requests = {};
  const call = async (/** @type {string} */ method, /** @type {string} */ path, /** @type {unknown} */ body, headers = {}) => {
    const route = routeOf(method, path);
    // The writer answers 503 only when nothing was stored ("repeat the request"), so repeating is safe.
    for (let attempt = 0; ; attempt++) {
      requests[route] = (requests[route] ?? 0) + 1;
      let res;
      try {
        res = await fetch(new URL(path, url), {
          method,
          headers: {
            Authorization: `Bearer ${token}`,
            Accept: 'application/json',
            ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
            ...headers,
          },
          ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
        });
      } catch (err) {
        const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
        throw new Error(`cannot reach ${url} (${method} ${path})${cause}`);
      }
      const text = await res.text();
      let parsed;
      try {
        parsed = text ? JSON.parse(text) : {};
      } catch {
        parsed = { detail: text.slice(0, 200) };
      }
      if (res.status === 503 && attempt < 2) {
        await new Promise((r) => setTimeout(r, 1000 * (attempt + 1)));
        continue;
      }
      return { status: res.status, ok: res.ok, body: parsed };
    }
  };
  return { call, requests };
}

/**
 * The message for a refused request: the problem's detail, or the status.
 * @param {ApiAnswer} a
 */
export function problemText(a) {
  const detail = a.body && typeof a.body.detail === 'string' ? a.body.detail : '';
  return detail || `HTTP ${a.status}`;
}

/** Token and URL defaults the CLIs share. */
export const DEFAULT_URL = process.env.WIREFEED_URL ?? 'http://127.0.0.1:8787';
