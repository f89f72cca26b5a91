// The newsroom page: the /newsroom shell (no data, strict CSP, cacheable), GET /api/stats/charts (token, numbers equal
// GET /api/stats's) and GET /api/stats?by=day&feed= (a feed's days).
import { SELF, env, runInDurableObject } from 'cloudflare:test';
import { audienceStore } from '../../src/audience/access';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, get, ORIGIN, publish, syntheticItem } from '../helpers';
import { cron, rawPoints, visit } from '../audience-helpers';
import { createPartners, issue, presented, putPartnerDoc } from '../partner-helpers';
import { elementsOf } from '../newsroom-helpers';

const NOON = Date.UTC(2026, 11, 6, 12);
const DAY = 86_400_000;
const FEEDLY = (n: number) => `Feedly/1.0 (+http://www.feedly.com/fetcher.html; ${n} subscribers)`;
afterEach(() => vi.useRealTimers());

const sha256 = async (text: string) =>
  btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))));

describe('GET /newsroom', () => {
  it('is a shell without data: noindex, a strict CSP naming its own script and style by hash, no cookie, cacheable', async () => {
    const res = await get('/newsroom');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('X-Robots-Tag')).toBe('noindex, nofollow');
    expect(res.headers.get('Referrer-Policy')).toBe('no-referrer');
    expect(res.headers.get('Set-Cookie')).toBeNull();
    expect(res.headers.get('Access-Control-Allow-Origin')).toBeNull();
    expect(res.headers.get('Cache-Control')).toMatch(/^public, max-age=\d+/);
    const html = await res.text();
    expect(html).toContain('<meta name="robots" content="noindex, nofollow">');
    const csp = res.headers.get('Content-Security-Policy') ?? '';
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    expect(script).toContain("'Bearer ' + token");
    expect(csp).toBe(
      `default-src 'none'; script-src 'sha256-${await sha256(script)}'; style-src 'sha256-${await sha256(style)}'; ` +
        "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    // The token field has no name: a form submitted without the script sends nothing.
    const inputs = (await elementsOf(html)).filter((e) => e.tag === 'input');
    expect(inputs.find((e) => e.attrs.type === 'password')?.attrs).toEqual({
      id: 'token',
      type: 'password',
      autocomplete: 'off',
      spellcheck: 'false',
      required: '',
    });
    expect(inputs.every((e) => e.attrs.name === undefined)).toBe(true);
    // Revalidates like a document, and opening it is not counted as anything.
    expect((await get('/newsroom', { 'If-None-Match': res.headers.get('ETag') ?? '' })).status).toBe(304);
    await visit('/newsroom');
    expect(await rawPoints()).toEqual([]);
  });
});

describe('GET /api/stats?by=day&feed=', () => {
  it("a feed's subscribers and fetches by day, every day of the range", async () => {
    await publish(syntheticItem(1));
    vi.useFakeTimers({ toFake: ['Date'], now: NOON - DAY });
    await visit('/feed.xml', { ua: FEEDLY(10) });
    await visit('/feed.atom', { ua: FEEDLY(99) });
    vi.setSystemTime(NOON);
    await visit('/feed.xml', { ua: FEEDLY(12) });
    await visit('/feed.xml');
    await cron();
    const res = await api('GET', '/stats?by=day&feed=/feed.xml&from=2026-12-04&to=2026-12-06');
    expect(await res.json()).toEqual({
      from: '2026-12-04',
      to: '2026-12-06',
      by: 'day',
      feed: '/feed.xml',
      rows: [
        { key: '2026-12-04', subscribers: 0, fetches: 0 },
        { key: '2026-12-05', subscribers: 10, fetches: 1 },
        { key: '2026-12-06', subscribers: 13, fetches: 2 },
      ],
    });
    // by defaults to day; a feed nobody polled is days of zeros, not an error.
    const other = await (await api('GET', '/stats?feed=/videos/feed.json&from=2026-12-06&to=2026-12-06')).json<any>();
    expect(other.rows).toEqual([{ key: '2026-12-06', subscribers: 0, fetches: 0 }]);
  });

  it.each([
    ['?by=item&feed=/feed.xml', 'feed'],
    ['?feed=', 'feed'],
    ['?feed=/articles/item-1', 'feed'],
    ['?feed=feed.xml', 'feed'],
    [`?feed=/${'a'.repeat(600)}/feed.xml`, 'feed'],
    ['?feed=/feed.xml&from=2026-12-07&to=2026-12-06', 'from'],
  ])('%s is a 422 naming %s', async (q, field) => {
    const res = await api('GET', `/stats${q}`);
    expect(res.status).toBe(422);
    expect(res.headers.get('Content-Type')).toMatch(/^application\/problem\+json/);
    expect((await res.json<any>()).field).toBe(field);
  });
});

/** The numbers the fragment shows: per chart, per key, per metric (a line chart's per series). */
async function shown(html: string): Promise<Record<string, Record<string, Record<string, number>>>> {
  const out: Record<string, Record<string, Record<string, number>>> = {};
  let chart = '';
  let key = '';
  for (const e of await elementsOf(html)) {
    if (e.tag === 'table') chart = e.attrs['data-chart'] ?? '';
    else if (e.tag === 'tr' && e.attrs['data-key'] !== undefined) key = e.attrs['data-key'];
    else if (e.tag === 'td') {
      const name = e.attrs['data-series'] ?? e.attrs['data-metric'] ?? '';
      ((out[chart] ??= {})[key] ??= {})[name] = Number(e.attrs['data-value']);
    }
  }
  return out;
}

describe('GET /api/stats/charts', () => {
  it('needs the token, is never cached, and refuses a bad range naming the field', async () => {
    const bare = await SELF.fetch(`${ORIGIN}/api/stats/charts`);
    expect(bare.status).toBe(401);
    expect(bare.headers.get('Content-Type')).toMatch(/^application\/problem\+json/);
    expect((await bare.json<any>()).field).toBe('Authorization');
    expect((await SELF.fetch(`${ORIGIN}/api/stats/charts`, { headers: { Authorization: 'Bearer nope' } })).status).toBe(401);
    const ok = await api('GET', '/stats/charts');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
    expect(ok.headers.get('Cache-Control')).toBe('no-store');
    for (const [q, field] of [
      ['?from=2026-12-07&to=2026-12-06', 'from'],
      ['?to=2026-02-30', 'to'],
      ['?from=2024-01-01&to=2026-12-06', 'from'],
    ]) {
      const res = await api('GET', `/stats/charts${q}`);
      expect(res.status).toBe(422);
      expect((await res.json<any>()).field).toBe(field);
    }
  });

  it('shows the numbers GET /api/stats answers for the same range; the last 30 days by default', async () => {
    await publish(syntheticItem(1));
    await publish(syntheticItem(2));
    await createPartners();
    const MSN = '/partners/msn-start/feed.xml';
    await putPartnerDoc(MSN, '<rss version="2.0"><channel><title>msn</title></channel></rss>');
    const bearer = await issue('msn-start', 'bearer');
    vi.useFakeTimers({ toFake: ['Date'], now: NOON - 2 * DAY });
    await visit('/feed.xml', { ua: FEEDLY(40) });
    await visit('/articles/item-1');
    vi.setSystemTime(NOON);
    await visit('/feed.xml', { ua: FEEDLY(42) });
    await visit('/feed.xml', { address: '198.51.100.9' });
    await visit('/feed.json', { ua: FEEDLY(5) });
    for (const address of ['198.51.100.1', '198.51.100.2']) await visit('/articles/item-2', { address });
    await visit('/articles/item-1');
    await visit(MSN, { headers: presented(bearer, 'bearer').headers });
    await cron();

    const html = await (await api('GET', '/stats/charts')).text();
    const els = await elementsOf(html);
    const root = els.find((e) => e.attrs.class === 'charts');
    expect(root?.attrs).toMatchObject({ 'data-from': '2026-11-07', 'data-to': '2026-12-06' });
    const q = '&from=2026-11-07&to=2026-12-06';
    const json = async (p: string) => (await (await api('GET', `/stats?${p}${q}`)).json<any>()).rows as any[];
    const numbers = await shown(html);

    const items = Object.fromEntries((await json('by=item')).map((r) => [r.key, { views: r.views, plays: r.plays ?? 0 }]));
    expect(numbers.items).toEqual(items);
    expect(numbers.items).toEqual({ 'item-1': { views: 2, plays: 0 }, 'item-2': { views: 2, plays: 0 } });
    expect(numbers.partners).toEqual(Object.fromEntries((await json('by=partner')).map((r) => [r.key, { fetches: r.fetches }])));
    expect(numbers.partners).toEqual({ 'msn-start': { fetches: 1 } });
    // No embeds or downloads are counted on this branch: those charts say so rather than fail.
    expect(numbers.sites).toBeUndefined();
    expect(numbers.downloads).toBeUndefined();

    // Subscribers: a line per polled feed, busiest first, with every day's number from by=day&feed=.
    const lines = els.filter((e) => e.tag === 'g' && e.attrs['data-key']).map((e) => e.attrs['data-key']);
    expect(lines).toEqual(['/feed.xml', '/feed.json']);
    for (const feed of lines) {
      const days = await json(`by=day&feed=${encodeURIComponent(feed!)}`);
      expect(days).toHaveLength(30);
      for (const d of days) expect(numbers.subscribers?.[d.key]?.[feed!]).toBe(d.subscribers);
    }
    expect(numbers.subscribers?.['2026-12-06']).toEqual({ '/feed.xml': 43, '/feed.json': 5 });
    expect(numbers.subscribers?.['2026-12-04']).toEqual({ '/feed.xml': 40, '/feed.json': 0 });
  });

  it('a hostile site origin or feed key in the store is text in the fragment, never markup', async () => {
    const site = 'https://x.example"><script>alert(1)</script>';
    const feed = "/feed.xml' onload='alert(1)<svg>";
    vi.useFakeTimers({ toFake: ['Date'], now: NOON });
    // Rows as a rollup of bad input would leave them, written into the real store.
    await runInDurableObject(audienceStore(env), (_i, state) => {
      const put = (dim: string, key: string, metric: string, value: number) =>
        state.storage.sql.exec(
          'INSERT INTO series (at, dim, key, metric, value) VALUES (?, ?, ?, ?, ?)',
          NOON - (NOON % DAY),
          dim,
          key,
          metric,
          value,
        );
      put('site', site, 'impressions', 3);
      put('site', site, 'plays', 1);
      put('feed', feed, 'subscribers', 2);
    });
    const html = await (await api('GET', '/stats/charts?from=2026-12-06&to=2026-12-06')).text();
    const els = await elementsOf(html);
    expect(els.map((e) => e.tag)).not.toContain('script');
    expect(els.filter((e) => e.tag === 'svg')).toHaveLength(2);
    expect(els.some((e) => Object.keys(e.attrs).some((a) => a.startsWith('on')))).toBe(false);
    expect(els.filter((e) => e.tag === 'rect').map((e) => e.attrs['data-key'])).toEqual([site, site]);
    expect(els.find((e) => e.tag === 'g' && e.attrs['data-key'])?.attrs['data-key']).toBe(feed);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});
