// The bench's partners: creating them and their credentials through the newsroom API, and the checks
// that make sure a partner line measures a partner document, not an error path.

/** @typedef {(w: any, method: string, path: string, body?: unknown) => Promise<any>} Call */

/**
 * Creates (or replaces) partners through the API: `[id, profile, scope]` each, named after their id.
 * @param {Call} call
 * @param {any} w the instance
 * @param {[string, string, object | undefined][]} partners
 */
export async function putPartners(call, w, partners) {
  for (const [id, profile, scope] of partners)
    await call(w, 'PUT', `/api/partners/${id}`, { name: `Bench partner ${id}`, profile, ...(scope ? { scope } : {}) });
}

/**
 * Issues a bearer credential for partner `id` and checks its feed through the gateway: 401 without
 * the credential, 200 with it, an RSS document with items that is not the public feed, private.
 * @param {Call} call
 * @param {any} w the instance
 * @param {string} id
 * @returns {Promise<{ path: string, headers: Record<string, string>, bytes: number }>}
 */
export async function partnerFeed(call, w, id) {
  const c = await call(w, 'POST', `/api/partners/${id}/credentials`, { type: 'bearer' });
  const path = `/partners/${id}/feed.xml`;
  const headers = { Authorization: `Bearer ${c.secret}` };
  const anon = await fetch(`${w.url}${path}`);
  if (anon.status !== 401) throw new Error(`${path} without a credential: ${anon.status}, not 401`);
  const res = await fetch(`${w.url}${path}`, { headers });
  const text = await res.text();
  const pub = await (await fetch(`${w.url}/feed.xml`)).text();
  const problems = [
    res.status !== 200 && `status ${res.status}`,
    !/^application\/rss\+xml/.test(res.headers.get('Content-Type') ?? '') && `Content-Type ${res.headers.get('Content-Type')}`,
    !(res.headers.get('Cache-Control') ?? '').startsWith('private') && `Cache-Control ${res.headers.get('Cache-Control')}`,
    !text.includes('<item>') && 'no <item>',
    text === pub && 'the public /feed.xml bytes',
  ].filter(Boolean);
  if (problems.length) throw new Error(`${path} with its bearer credential: ${problems.join(', ')}`);
  return { path, headers, bytes: Buffer.byteLength(text) };
}
