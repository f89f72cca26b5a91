// Partner documents behind credentials: each credential form, one identical 401 for every refusal,
// rotation and revocation, secrets shown once, and the cached Documents entrypoint out of anyone else's reach.
import { SELF, env, runInDurableObject } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Credentials } from '../../src/credentials/store';
import { api, ORIGIN } from '../helpers';
import { createPartners, fetchAs, issue, presented, putPartnerDoc, revoke, whole, type Issued } from '../partner-helpers';

const MSN = '/partners/msn-start/feed.xml';
const LIC = '/partners/lic/feed.xml';
const MSN_BYTES = '<rss version="2.0"><channel><title>only for msn-start</title></channel></rss>';
const LIC_BYTES = '<rss version="2.0"><channel><title>only for lic</title></channel></rss>';
const TYPES = ['token', 'basic', 'bearer'] as const;

// The Documents entrypoint as the gateway reaches it (ctx.exports), here through the module's exports.
type DocumentsExport = ((o: { props: { partner: string } }) => Fetcher) & Fetcher;
const documents = (exports as unknown as { Documents: DocumentsExport }).Documents;

const credentialsStub = () => env.CREDENTIALS.get(env.CREDENTIALS.idFromName('partners'));

// Credentials are issued only for partners the writer holds; their documents are then set by each test.
beforeEach(createPartners);

async function refusalOf(res: Response) {
  const w = await whole(res);
  expect(w.status).toBe(401);
  return w;
}

describe('partner credentials, each in its own form', () => {
  it.each(TYPES)('a %s credential opens its partner document, and only when sent as that type', async (type) => {
    await putPartnerDoc(MSN, MSN_BYTES);
    const c = await issue('msn-start', type);
    expect(c.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(c.username !== undefined).toBe(type === 'basic');
    expect(c.feed_url).toBe(type === 'token' ? `${ORIGIN}${MSN}?token=${c.secret}` : `${ORIGIN}${MSN}`);

    const ok = type === 'token' ? await SELF.fetch(c.feed_url) : await fetchAs(MSN, c);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe(MSN_BYTES);
    expect(ok.headers.get('Cache-Control')).toBe('private, max-age=60');
    expect(ok.headers.get('Access-Control-Allow-Origin')).toBeNull();
    expect(ok.headers.get('ETag')).toMatch(/^"/);
    // The Documents entrypoint marks any URL but the document's own as not for the edge: an edge
    // lifetime here shows the gateway forwarded the bare canonical URL, `?token=` and all else dropped.
    expect(ok.headers.get('Cloudflare-CDN-Cache-Control')).toMatch(/^max-age=[1-9]/);
    const stray = await fetchAs(`${MSN}?utm_source=x`, c);
    expect(stray.headers.get('Cloudflare-CDN-Cache-Control')).toMatch(/^max-age=[1-9]/);

    const reference = await refusalOf(await fetchAs(MSN, null));
    for (const other of TYPES.filter((t) => t !== type)) {
      const res = await fetchAs(MSN, c, { as: other });
      expect(await refusalOf(res), `${type} sent as ${other}`).toEqual(reference);
    }
  });

  it('answers ETag/304 and HEAD as public documents do, and serves ninjs lists, pages and items', async () => {
    const list = '/partners/lic/items.json';
    await putPartnerDoc(list, '{"items":[1]}', 'application/json');
    await putPartnerDoc(`${list}?page=2`, '{"items":[2]}', 'application/json');
    await putPartnerDoc('/partners/lic/items/harbour-drill.json', '{"uri":"x"}', 'application/json');
    const c = await issue('lic', 'token');

    const first = await fetchAs(list, c);
    const etag = first.headers.get('ETag') ?? '';
    expect(await first.text()).toBe('{"items":[1]}');
    const again = await fetchAs(list, c, { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('Cache-Control')).toBe('private, max-age=60');
    const head = await fetchAs(list, c, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('Content-Length')).toBe(String('{"items":[1]}'.length));
    expect(await head.text()).toBe('');

    // The token comes off and stray parameters with it; `page` names the older page.
    expect(await (await fetchAs(`${list}?utm_source=x&page=2`, c)).text()).toBe('{"items":[2]}');
    expect(await (await fetchAs('/partners/lic/items/harbour-drill.json', c)).text()).toBe('{"uri":"x"}');
    // With a good credential, what names no stored document is a plain 404.
    for (const path of [`${list}?page=abc`, `${list}?page=3`, '/partners/lic/items/nothing.json', '/partners/lic/other'])
      expect((await fetchAs(path, c)).status, path).toBe(404);
  });
});

describe('one identical 401', () => {
  it('for no credential, a wrong secret, an unknown partner, another partner’s credential, a revoked one and the wrong type', async () => {
    await putPartnerDoc(MSN, MSN_BYTES);
    await putPartnerDoc(LIC, LIC_BYTES);
    const msnBearer = await issue('msn-start', 'bearer');
    const msnBasic = await issue('msn-start', 'basic');
    const licToken = await issue('lic', 'token');
    const gone = await issue('msn-start', 'token');
    expect((await revoke('msn-start', gone.id)).status).toBe(204);

    const forged = { ...msnBearer, secret: msnBearer.secret.replace(/^./, (ch) => (ch === 'A' ? 'B' : 'A')) };
    const refusals = {
      none: await fetchAs(MSN, null),
      'wrong secret': await fetchAs(MSN, forged),
      'wrong Basic user': await fetchAs(MSN, { ...msnBasic, username: 'lic-00000000' }),
      'unknown partner': await fetchAs('/partners/nobody/feed.xml', msnBearer),
      'not a partner id': await fetchAs('/partners/NO_ONE/feed.xml', msnBearer),
      "another partner's credential": await fetchAs(MSN, licToken),
      'revoked credential': await fetchAs(MSN, gone),
      'wrong type': await fetchAs(MSN, msnBearer, { as: 'token' }),
      'garbage Basic': await fetchAs(MSN, null, { headers: { Authorization: 'Basic !!!' } }),
    };
    const answers = await Promise.all(Object.entries(refusals).map(async ([why, res]) => [why, await refusalOf(res)] as const));
    const [, reference] = answers[0] ?? [];
    expect(reference?.headers).toContainEqual([
      'www-authenticate',
      'Basic realm="wirefeed partners", charset="UTF-8", Bearer realm="wirefeed partners"',
    ]);
    expect(reference?.headers).toContainEqual(['cache-control', 'no-store']);
    expect(reference?.headers).toContainEqual(['content-type', 'application/problem+json; charset=utf-8']);
    for (const [why, answer] of answers) {
      expect(answer, why).toEqual(reference);
      expect(answer.body).not.toContain('only for');
    }
    // The credentials themselves still work, so the refusals above are about who asked, not a broken setup.
    expect(await (await fetchAs(MSN, msnBearer)).text()).toBe(MSN_BYTES);
    expect(await (await fetchAs(LIC, licToken)).text()).toBe(LIC_BYTES);
  });
});

describe('rotation and revocation', () => {
  it('two credentials both work; revoking one stops it on the very next request and leaves the other', async () => {
    await putPartnerDoc(MSN, MSN_BYTES);
    const old = await issue('msn-start', 'basic');
    const next = await issue('msn-start', 'basic');
    expect(old.username).not.toBe(next.username);
    for (const c of [old, next]) expect((await fetchAs(MSN, c)).status).toBe(200);

    expect((await revoke('msn-start', old.id)).status).toBe(204);
    expect((await fetchAs(MSN, old)).status).toBe(401);
    expect((await fetchAs(MSN, next)).status).toBe(200);
    expect((await revoke('msn-start', old.id)).status).toBe(404);
    // Another partner cannot revoke msn-start's credential by naming its id.
    expect((await revoke('lic', next.id)).status).toBe(404);
    expect((await fetchAs(MSN, next)).status).toBe(200);
  });

  it('revokeAll (the partner DELETE hook) ends every credential of that partner only', async () => {
    await putPartnerDoc(MSN, MSN_BYTES);
    await putPartnerDoc(LIC, LIC_BYTES);
    const a = await issue('msn-start', 'token');
    const b = await issue('msn-start', 'bearer');
    const l = await issue('lic', 'bearer');
    const { revokeAll } = await import('../../src/credentials/access');
    expect(await revokeAll(env, 'msn-start')).toBe(2);
    expect((await fetchAs(MSN, a)).status).toBe(401);
    expect((await fetchAs(MSN, b)).status).toBe(401);
    expect((await fetchAs(LIC, l)).status).toBe(200);
  });
});

describe('secrets are shown once', () => {
  const spies: ReturnType<typeof vi.spyOn>[] = [];
  afterEach(() => spies.splice(0).forEach((s) => s.mockRestore()));

  it('never in the list, /api/status, the console, or the store (which holds salted SHA-256 only)', async () => {
    for (const m of ['log', 'info', 'warn', 'error', 'debug'] as const) spies.push(vi.spyOn(console, m));
    await putPartnerDoc(MSN, MSN_BYTES);
    const issued: Issued[] = [];
    for (const t of TYPES) issued.push(await issue('msn-start', t));
    for (const c of issued) {
      expect((await fetchAs(MSN, c)).status).toBe(200);
      expect((await fetchAs(LIC, c)).status).toBe(401);
    }

    const listed = await api('GET', '/partners/msn-start/credentials');
    expect(listed.status).toBe(200);
    expect(listed.headers.get('Cache-Control')).toBe('no-store');
    const listText = await listed.text();
    const { credentials } = JSON.parse(listText) as { credentials: Record<string, unknown>[] };
    expect(credentials.map((c) => [c.id, c.type])).toEqual(issued.map((c) => [c.id, c.type]));
    for (const c of credentials) {
      expect(Object.keys(c).sort()).toEqual(
        c.type === 'basic' ? ['created', 'id', 'last_used', 'type', 'username'] : ['created', 'id', 'last_used', 'type'],
      );
    }
    const status = await (await api('GET', '/status')).text();

    const rows = await runInDurableObject(credentialsStub(), async (_o: Credentials, state) => ({
      version: state.storage.sql.exec<{ version: number }>('SELECT version FROM schema_version').one().version,
      rows: state.storage.sql.exec<{ id: string; salt: ArrayBuffer; hash: ArrayBuffer }>('SELECT * FROM credentials').toArray(),
    }));
    expect(rows.version).toBe(1);
    const stored = JSON.stringify(rows.rows.map((r) => ({ ...r, salt: [...new Uint8Array(r.salt)], hash: [...new Uint8Array(r.hash)] })));

    const logged = JSON.stringify(spies.flatMap((s) => s.mock.calls));
    for (const c of issued) {
      for (const [where, text] of Object.entries({ list: listText, status, logged, stored }))
        expect(text.includes(c.secret), `${c.type} secret in ${where}`).toBe(false);
      const row = rows.rows.find((r) => r.id === c.id);
      const salt = new Uint8Array(row?.salt ?? new ArrayBuffer(0));
      const input = new Uint8Array([...salt, ...new TextEncoder().encode(c.secret)]);
      expect(salt.byteLength).toBe(16);
      expect([...new Uint8Array(await crypto.subtle.digest('SHA-256', input))]).toEqual([
        ...new Uint8Array(row?.hash ?? new ArrayBuffer(0)),
      ]);
    }
  });

  it('refuses a bad request naming the field, an unknown credential, and requests without the newsroom token', async () => {
    const bad = await api('POST', '/partners/msn-start/credentials', { type: 'password' });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { field: string }).field).toBe('type');
    const extra = await api('POST', '/partners/msn-start/credentials', { type: 'token', secret: 'mine' });
    expect(extra.status).toBe(422);
    expect((await api('POST', '/partners/Not_A_Slug/credentials', { type: 'token' })).status).toBe(404);
    expect((await api('DELETE', '/partners/msn-start/credentials/nope')).status).toBe(404);
    const anonymous = await SELF.fetch(`${ORIGIN}/api/partners/msn-start/credentials`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"type":"token"}',
    });
    expect(anonymous.status).toBe(401);
    expect((await api('GET', '/partners/msn-start/credentials')).status).toBe(200);
  });
});

describe('the cached Documents entrypoint', () => {
  it('hands a partner document only to calls whose props name that partner', async () => {
    await putPartnerDoc(MSN, MSN_BYTES);
    const c = await issue('msn-start', 'bearer');
    const url = `${ORIGIN}${MSN}`;
    const reference = await whole(await fetchAs(MSN, null));

    // The public: no props, even with a valid credential in the request (only the gateway checks credentials).
    const p = presented(c, 'bearer');
    for (const res of [await documents.fetch(url), await documents.fetch(url, { headers: p.headers })]) {
      expect(await whole(res)).toEqual(reference);
    }
    // Another partner's props.
    expect(await whole(await documents({ props: { partner: 'lic' } }).fetch(url))).toEqual(reference);
    // That partner's props: the bytes, private to the client, kept at the edge under that props key.
    const own = await documents({ props: { partner: 'msn-start' } }).fetch(url);
    expect(own.status).toBe(200);
    expect(own.headers.get('Cloudflare-CDN-Cache-Control')).toMatch(/^max-age=[1-9]/);
    expect(own.headers.get('Cache-Tag')).toBe(`partner:${MSN}`);
    expect(await own.text()).toBe(MSN_BYTES);
    // A query other than the document's own is kept out of the edge cache.
    const stray = await documents({ props: { partner: 'msn-start' } }).fetch(`${url}?x=1`);
    expect(stray.headers.get('Cloudflare-CDN-Cache-Control')).toBe('no-store');
  });

  it('public addresses answer through the gateway as before; /partners never falls through to them', async () => {
    const home = await SELF.fetch(`${ORIGIN}/robots.txt`);
    expect(home.status).toBe(200);
    expect((await SELF.fetch(`${ORIGIN}/partners`)).status).toBe(401);
    expect((await SELF.fetch(`${ORIGIN}/partners/`)).status).toBe(401);
  });
});

describe("credentials follow the writer's partners", () => {
  it('are issued only for a partner the writer holds, and go when the partner is deleted', async () => {
    const unknown = await api('POST', '/partners/nobody/credentials', { type: 'token' });
    expect(unknown.status).toBe(404);
    await putPartnerDoc(MSN, MSN_BYTES);
    const c = await issue('msn-start', 'bearer');
    expect((await fetchAs(MSN, c)).status).toBe(200);
    expect((await api('DELETE', '/partners/msn-start')).status).toBe(200);
    const after = await fetchAs(MSN, c);
    expect(after.status).toBe(401);
    expect(await after.text()).not.toContain('only for msn-start');
    const listed = await api('GET', '/partners/msn-start/credentials');
    expect(listed.status).toBe(404);
  });
});
