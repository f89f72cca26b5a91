// Partner-access test helpers: issuing credentials through the API, sending them in each form, and
// writing partner documents into KV as the writer would.
import { SELF, env } from 'cloudflare:test';
import { api, ORIGIN } from './helpers';

export interface Issued {
  id: string;
  type: 'token' | 'basic' | 'bearer';
  secret: string;
  username?: string;
  feed_url: string;
  created: string;
}

/** Creates the partners the access tests use through the API (an RSS-profile one and a ninjs licensee). */
export async function createPartners(): Promise<void> {
  for (const [id, profile] of [
    ['msn-start', 'rss'],
    ['lic', 'ninjs'],
  ] as const) {
    const res = await api('PUT', `/partners/${id}`, { name: `Partner ${id}`, profile });
    if (res.status !== 201 && res.status !== 200) throw new Error(`partner ${id}: ${res.status} ${await res.text()}`);
  }
}

/** Issues a credential through the newsroom API, failing loudly on anything but 201. */
export async function issue(partner: string, type: Issued['type']): Promise<Issued> {
  const res = await api('POST', `/partners/${partner}/credentials`, { type });
  if (res.status !== 201) throw new Error(`issue ${partner} ${type}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Issued;
}

/** Revokes a credential through the API. */
export const revoke = (partner: string, id: string) => api('DELETE', `/partners/${partner}/credentials/${id}`);

/** The Authorization value or query string that presents `secret` in the form `as`. */
export function presented(c: Pick<Issued, 'secret' | 'username'>, as: Issued['type']): { query: string; headers: Record<string, string> } {
  if (as === 'token') return { query: `token=${encodeURIComponent(c.secret)}`, headers: {} };
  if (as === 'bearer') return { query: '', headers: { Authorization: `Bearer ${c.secret}` } };
  return { query: '', headers: { Authorization: `Basic ${btoa(`${c.username ?? 'someone'}:${c.secret}`)}` } };
}

/** GET (or `method`) a partner address through the real default export, the credential in the form `as` (its own type unless said). */
export function fetchAs(
  path: string,
  c: Pick<Issued, 'secret' | 'username' | 'type'> | null,
  o: { as?: Issued['type']; headers?: Record<string, string>; method?: string } = {},
): Promise<Response> {
  const p = c ? presented(c, o.as ?? c.type) : { query: '', headers: {} };
  const sep = path.includes('?') ? '&' : '?';
  const url = `${ORIGIN}${path}${p.query ? sep + p.query : ''}`;
  return SELF.fetch(url, { method: o.method ?? 'GET', headers: { ...p.headers, ...o.headers } });
}

/** Writes a partner document where the writer puts them (`partner:` + path), with the DocMeta public documents carry. */
export async function putPartnerDoc(path: string, body: string, type = 'application/rss+xml; charset=utf-8'): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body)));
  const etag = `"${btoa(String.fromCharCode(...digest.subarray(0, 16))).replace(/[+/=]/g, '')}"`;
  await env.FEEDS.put(`partner:${path}`, body, {
    metadata: { etag, lastModified: 'Sun, 06 Dec 2026 05:00:00 GMT', type, cache: 'current', rv: 1 },
  });
  return etag;
}

/** Status, headers (sorted, Date left out) and body of an answer, for comparing two answers whole. */
export async function whole(res: Response): Promise<{ status: number; headers: [string, string][]; body: string }> {
  const headers = [...res.headers].filter(([k]) => k !== 'date').sort(([a], [b]) => a.localeCompare(b));
  return { status: res.status, headers, body: await res.text() };
}
