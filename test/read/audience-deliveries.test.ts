// Partner deliveries: each fetch of a partner document (which, which version, 200 or 304, which
// credential, when) through GET /api/partners/:id/deliveries, and a credential seen from too many networks.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api } from '../helpers';
import { createPartners, issue, presented, putPartnerDoc } from '../partner-helpers';
import { cron, storeTables, visit } from '../audience-helpers';

const MSN = '/partners/msn-start/feed.xml';
const T0 = Date.UTC(2026, 11, 6, 9, 30);

const deliveries = async (q = '?from=2026-12-06&to=2026-12-06') => (await api('GET', `/partners/msn-start/deliveries${q}`)).json<any>();

beforeEach(createPartners);
afterEach(() => vi.useRealTimers());

describe('partner deliveries', () => {
  it('a 200 then a 304 of the same version, each with its credential and time; refusals are not deliveries', async () => {
    const etag = await putPartnerDoc(MSN, '<rss version="2.0"><channel><title>msn</title></channel></rss>');
    const bearer = await issue('msn-start', 'bearer');
    const token = await issue('msn-start', 'token');
    vi.useFakeTimers({ toFake: ['Date'], now: T0 });
    expect((await visit(MSN, { headers: presented(bearer, 'bearer').headers })).status).toBe(200);
    vi.setSystemTime(T0 + 60_000);
    const again = await visit(`${MSN}?${presented(token, 'token').query}`, { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect((await visit(MSN)).status).toBe(401);
    expect((await visit(MSN, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
    await cron();
    const d = await deliveries();
    expect(d.partner).toBe('msn-start');
    expect(d.deliveries).toEqual([
      { doc: MSN, etag, status: 304, credential: token.id, at: new Date(T0 + 60_000).toISOString() },
      { doc: MSN, etag, status: 200, credential: bearer.id, at: new Date(T0).toISOString() },
    ]);
    expect(d.credentials).toEqual(
      [
        { id: bearer.id, fetches: 1, networks: 1, possiblyLeaked: false },
        { id: token.id, fetches: 1, networks: 1, possiblyLeaked: false },
      ].sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
    // The secret never reaches the store: not in the log, not in the series.
    const stored = JSON.stringify(await storeTables());
    expect(stored).not.toContain(token.secret);
    expect(stored).not.toContain(bearer.secret);
    const byPartner = (await (await api('GET', '/stats?by=partner&from=2026-12-06&to=2026-12-06')).json<any>()).rows;
    expect(byPartner).toEqual([{ key: 'msn-start', fetches: 2 }]);
    // Another day's range holds none of them.
    expect((await deliveries('?from=2026-12-05&to=2026-12-05')).deliveries).toEqual([]);
  });

  it('a credential seen from more than AUDIENCE_LEAK_NETWORKS networks within an hour is flagged possibly leaked', async () => {
    await putPartnerDoc(MSN, '<rss version="2.0"><channel><title>msn</title></channel></rss>');
    const shared = await issue('msn-start', 'bearer');
    const kept = await issue('msn-start', 'bearer');
    vi.useFakeTimers({ toFake: ['Date'], now: T0 });
    // Four autonomous systems in one hour for one credential; the other fetches from one network, often.
    for (const asn of [64500, 64501, 64502, 64503]) await visit(MSN, { headers: presented(shared, 'bearer').headers, asn });
    for (let i = 0; i < 5; i++) await visit(MSN, { headers: presented(kept, 'bearer').headers, asn: 64510 });
    // Without an AS number: /24s, salted. Two addresses of one /24 are one network.
    await visit(MSN, { headers: presented(kept, 'bearer').headers, address: '198.51.100.1' });
    await visit(MSN, { headers: presented(kept, 'bearer').headers, address: '198.51.100.200' });
    await cron();
    const byId = Object.fromEntries((await deliveries()).credentials.map((c: any) => [c.id, c]));
    expect(byId[shared.id]).toEqual({ id: shared.id, fetches: 4, networks: 4, possiblyLeaked: true });
    expect(byId[kept.id]).toEqual({ id: kept.id, fetches: 7, networks: 2, possiblyLeaked: false });
    const networks = (await storeTables()).deliveries?.map((r) => r.network);
    expect(networks).toContain('as64500');
    expect(JSON.stringify(networks)).not.toContain('198.51.100');
  });

  it('the same networks spread over hours are not a leak', async () => {
    await putPartnerDoc(MSN, '<rss version="2.0"><channel><title>msn</title></channel></rss>');
    const c = await issue('msn-start', 'bearer');
    vi.useFakeTimers({ toFake: ['Date'], now: Date.UTC(2026, 11, 6, 1) });
    for (const [i, asn] of [64500, 64501, 64502, 64503, 64504].entries()) {
      vi.setSystemTime(Date.UTC(2026, 11, 6, 1 + i * 2));
      await visit(MSN, { headers: presented(c, 'bearer').headers, asn });
    }
    await cron();
    expect((await deliveries()).credentials).toEqual([{ id: c.id, fetches: 5, networks: 1, possiblyLeaked: false }]);
  });
});
