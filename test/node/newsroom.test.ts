// The newsroom page in headless Chromium: counts seeded by real requests and the cron, the token typed into the
// form, the charts drawn, their numbers equal to GET /api/stats's, and the token in no URL, history entry or cookie.
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startWirefeed } from '../../scripts/harness.mjs';
import { publishContent } from '../../scripts/publish.mjs';
import { launchChromium } from './chromium';

let w: Awaited<ReturnType<typeof startWirefeed>>;
let browser: Browser;

const BROWSER_UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0';
const FEEDLY = 'Feedly/1.0 (+http://www.feedly.com/fetcher.html; 42 subscribers)';
const INOREADER = 'Mozilla/5.0 (compatible; Inoreader/1.0; https://www.inoreader.com; 7 subscribers)';
const VIDEO = '/videos/n-korea-blows-up-inter-korean-liaison-office';
const ARTICLE = '/articles/exporters-brace-for-slower-quarter';

const api = async (path: string, init: RequestInit = {}) =>
  fetch(`${w.url}/api${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${w.token}`, 'Content-Type': 'application/json', ...init.headers },
  });

async function hit(path: string, ua: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`${w.url}${path}`, { headers: { 'User-Agent': ua, ...headers } });
  await res.arrayBuffer();
  return res.status;
}

beforeAll(async () => {
  w = await startWirefeed({ script: inject('workerScript'), bindings: { KV_WRITE_GAP_MS: '0' } });
  const { failed } = await publishContent({ url: w.url, dir: 'content', token: w.token, log: () => {} });
  expect(failed).toEqual([]);
  // Counts made the way they are in production: requests through the Worker, then the cron's rollup.
  expect(await hit('/feed.xml', FEEDLY)).toBe(200);
  expect(await hit('/feed.xml', BROWSER_UA)).toBe(200);
  expect(await hit('/feed.atom', INOREADER)).toBe(200);
  expect(await hit('/feed.json', 'Googlebot/2.1 (+http://www.google.com/bot.html)')).toBe(200);
  // Three readers (views are one per reader a day: each browser here is another User-Agent).
  for (let i = 0; i < 3; i++) expect(await hit(VIDEO, `${BROWSER_UA} reader/${i}`)).toBe(200);
  expect(await hit(ARTICLE, BROWSER_UA)).toBe(200);
  // A partner's fetch of its document, with a credential made through the API.
  const issued = await (await api('/partners/msn-start/credentials', { method: 'POST', body: '{"type":"bearer"}' })).json();
  const doc = new URL(issued.feed_url).pathname;
  let status = 0;
  for (let i = 0; i < 50 && status !== 200; i++) {
    status = await hit(doc, 'MSN-Fetcher/1.0', { Authorization: `Bearer ${issued.secret}` });
    if (status !== 200) await new Promise((r) => setTimeout(r, 200));
  }
  expect(status).toBe(200);
  // Counting happens in waitUntil, after each answer: give the last ones a moment, then roll up.
  await new Promise((r) => setTimeout(r, 500));
  const worker = await w.mf.getWorker();
  await worker.scheduled({ cron: '* * * * *' });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await w?.mf.dispose();
});

/** What the page's tables say: per chart, per row key, per metric (per feed for the subscribers chart). */
const tablesOf = (page: Page) =>
  page.evaluate(() => {
    const out: Record<string, Record<string, Record<string, number>>> = {};
    for (const table of document.querySelectorAll('table[data-chart]')) {
      const chart = (out[table.getAttribute('data-chart') ?? ''] = {} as Record<string, Record<string, number>>);
      for (const tr of table.querySelectorAll('tbody tr')) {
        const row = (chart[tr.getAttribute('data-key') ?? ''] = {} as Record<string, number>);
        // The text a person reads (1,234), not an attribute.
        for (const td of tr.querySelectorAll('td'))
          row[td.getAttribute('data-series') ?? td.getAttribute('data-metric') ?? ''] = Number(td.textContent?.replace(/,/g, ''));
      }
    }
    return out;
  });

describe('the newsroom page', () => {
  it('asks for the token, draws the charts, and shows the numbers GET /api/stats gives for the same range', async () => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    const visited: string[] = [];
    page.on('framenavigated', (f) => visited.push(f.url()));
    const sent: string[] = [];
    page.on('request', (r) => sent.push(r.url()));

    await page.goto(`${w.url}/newsroom`);
    // No token yet: the form, and no chart.
    await page.waitForSelector('#token', { state: 'visible' });
    expect(await page.locator('#charts svg').count()).toBe(0);
    const entries = await page.evaluate(() => history.length);
    await page.fill('#token', w.token);
    await page.press('#token', 'Enter');
    await page.waitForSelector('#charts svg .bar');

    // The range the page chose by default: the last 30 days, today included (UTC).
    const from = await page.inputValue('#from');
    const to = await page.inputValue('#to');
    const today = new Date().toISOString().slice(0, 10);
    expect(to).toBe(today);
    expect(Date.parse(to) - Date.parse(from)).toBe(29 * 86_400_000);
    expect(await page.getAttribute('.charts', 'data-from')).toBe(from);

    // Drawn: every bar with a number has a length, every feed's line a size.
    const sizes = await page.evaluate(() => ({
      bars: [...document.querySelectorAll('rect.bar')].map((r) => ({
        value: Number(r.getAttribute('data-value')),
        width: r.getBoundingClientRect().width,
        height: r.getBoundingClientRect().height,
      })),
      lines: [...document.querySelectorAll('g.line polyline')].map((p) => (p as SVGGraphicsElement).getBBox().width),
    }));
    expect(sizes.bars.filter((b) => b.value > 0).length).toBeGreaterThan(0);
    for (const b of sizes.bars) {
      expect(b.height).toBeGreaterThan(0);
      if (b.value > 0) expect(b.width).toBeGreaterThan(0);
    }
    expect(sizes.lines.length).toBe(2);
    for (const width of sizes.lines) expect(width).toBeGreaterThan(0);

    // The numbers equal the API's for the same range.
    const shown = await tablesOf(page);
    const rows = async (q: string) => (await (await api(`/stats?${q}&from=${from}&to=${to}`)).json()).rows as any[];
    const items = await rows('by=item');
    expect(shown.items).toEqual(Object.fromEntries(items.map((r) => [r.key, { views: r.views, plays: r.plays ?? 0 }])));
    expect(shown.items).toMatchObject({
      'n-korea-blows-up-inter-korean-liaison-office': { views: 3 },
      'exporters-brace-for-slower-quarter': { views: 1 },
    });
    const partners = await rows('by=partner');
    expect(shown.partners).toEqual(Object.fromEntries(partners.map((r) => [r.key, { fetches: r.fetches }])));
    expect(shown.partners).toEqual({ 'msn-start': { fetches: 1 } });
    const feeds = (await rows('by=feed')).filter((r) => r.subscribers > 0);
    expect(feeds.map((f) => f.key)).toEqual(['/feed.xml', '/feed.atom']);
    for (const f of feeds) {
      const days = await rows(`by=day&feed=${encodeURIComponent(f.key)}`);
      expect(days).toHaveLength(30);
      for (const d of days) expect(shown.subscribers?.[d.key]?.[f.key], `${f.key} ${d.key}`).toBe(d.subscribers);
    }
    // Feedly's 42 and one direct poller; Inoreader's 7; Googlebot is nobody.
    expect(shown.subscribers?.[today]).toEqual({ '/feed.xml': 43, '/feed.atom': 7 });
    // Embeds and downloads are not counted yet here: their charts say so.
    expect(await page.textContent('#chart-sites .empty')).toContain('No embedded player');
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/newsroom.png', fullPage: true });

    // The token is in no address the browser kept or asked for, and no cookie was set.
    expect(page.url()).toBe(`${w.url}/newsroom`);
    expect(visited.every((u) => u === `${w.url}/newsroom`)).toBe(true);
    expect(sent.some((u) => u.includes(w.token) || u.includes(encodeURIComponent(w.token)))).toBe(false);
    // No history entry was added, and none the browser keeps holds the token.
    expect(await page.evaluate(() => history.length)).toBe(entries);
    const cdp = await context.newCDPSession(page);
    const nav = (await cdp.send('Page.getNavigationHistory')) as { entries: { url: string }[] };
    expect(nav.entries.map((e) => e.url).filter((u) => u !== 'about:blank')).toEqual([`${w.url}/newsroom`]);
    expect(await context.cookies()).toEqual([]);
    expect(await page.evaluate(() => document.cookie)).toBe('');
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    // Kept for this tab only, as the page says.
    expect(await page.evaluate(() => sessionStorage.getItem('wirefeed-newsroom-token'))).toBe(w.token);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('a range is chosen, a bad one is explained, a wrong token is asked again, and the token can be forgotten', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${w.url}/newsroom`);
    await page.fill('#token', 'not-the-token');
    await page.click('#login button[type=submit]');
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.includes('refused'));
    expect(await page.isVisible('#token')).toBe(true);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);

    await page.fill('#token', w.token);
    await page.press('#token', 'Enter');
    await page.waitForSelector('#charts svg');
    // A range before anything was counted: every chart says it is empty.
    await page.fill('#from', '2020-01-01');
    await page.fill('#to', '2020-01-31');
    await page.click('#range button[type=submit]');
    await page.waitForSelector('.charts[data-from="2020-01-01"]');
    expect(await page.locator('#charts .empty').count()).toBe(5);
    expect(await page.locator('#charts svg').count()).toBe(0);
    // From after to: the API's problem, in words.
    await page.fill('#from', '2020-02-01');
    await page.click('#range button[type=submit]');
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.includes('from: must not be after to'));

    // A reload in the same tab keeps the token; "Forget the token" drops it.
    await page.reload();
    await page.waitForSelector('#charts svg');
    await page.click('#forget');
    expect(await page.isVisible('#token')).toBe(true);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(page.url()).toBe(`${w.url}/newsroom`);
    expect(await context.cookies()).toEqual([]);
    await context.close();
  });
});
