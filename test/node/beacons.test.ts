// The audience beacons in headless Chromium: the embed player framed by a page on another origin
// counts its impression, play and first quartile for that site once the page is hidden (and nothing
// when the browser asks not to be tracked); the item page's share control copies the link and counts.
import { createServer, type Server } from 'node:http';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, startWirefeed } from '../../scripts/harness.mjs';
import { publishContent } from '../../scripts/publish.mjs';
import { launchChromium } from './chromium';

let w: Awaited<ReturnType<typeof startWirefeed>>;
let host: Server;
let hostUrl: string;
let browser: Browser;

const SEED = 'n-korea-blows-up-inter-korean-liaison-office';
// HeadlessChrome in a User-Agent is a bot, whose beacons are answered and not counted: these are "people".
const PERSON = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36';
const OTHER_PERSON = PERSON.replace('Chrome/140', 'Chrome/141');
const DNT_PERSON = PERSON.replace('Chrome/140', 'Chrome/139');

beforeAll(async () => {
  w = await startWirefeed({ script: inject('workerScript') });
  const { failed } = await publishContent({ url: w.url, dir: 'content', token: w.token, log: () => {} });
  expect(failed).toEqual([]);
  const port = await freePort();
  hostUrl = `http://127.0.0.1:${port}`;
  host = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(
      `<!doctype html><html><head><title>host</title></head><body><h1>Someone else's site</h1><iframe src="${w.url}/embed/${SEED}" width="480" height="270" allow="autoplay"></iframe></body></html>`,
    );
  });
  await new Promise<void>((r) => host.listen(port, '127.0.0.1', r));
  browser = await launchChromium(['--autoplay-policy=no-user-gesture-required']);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  host?.close();
  await w?.mf.dispose();
});

/** Fires the Cron Trigger (the rollup) and reads /api/stats with the newsroom token. */
async function stats(by: 'site' | 'item'): Promise<Record<string, any>[]> {
  await (await w.mf.getWorker()).scheduled({ cron: '* * * * *' });
  const res = await fetch(`${w.url}/api/stats?by=${by}`, { headers: { Authorization: `Bearer ${w.token}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { rows: Record<string, any>[] }).rows;
}

/** Polls the stats (the beacon is sent as the page hides, and counted after its answer) until `done` holds. */
async function statsUntil(by: 'site' | 'item', done: (rows: Record<string, any>[]) => boolean): Promise<Record<string, any>[]> {
  let rows: Record<string, any>[] = [];
  for (let i = 0; i < 50; i++) {
    rows = await stats(by);
    if (done(rows)) return rows;
    await new Promise((r) => setTimeout(r, 200));
  }
  return rows;
}

/** Every beacon request any frame of the context makes. */
function beaconsOf(context: BrowserContext): string[] {
  const sent: string[] = [];
  context.on('request', (r) => {
    if (r.url() === `${w.url}/beacon`) sent.push(r.postData() ?? '');
  });
  return sent;
}

/** Opens the host page, plays the framed player (muted) past its first quartile, then takes the player away, which hides it. */
async function watchAndLeave(page: Page): Promise<void> {
  await page.goto(hostUrl);
  const frame = await (await page.waitForSelector('iframe')).contentFrame();
  expect(frame!.url()).toBe(`${w.url}/embed/${SEED}`);
  await frame!.waitForFunction(() => (document.querySelector('video') as HTMLVideoElement).readyState >= 1, undefined, { timeout: 30_000 });
  await frame!.evaluate(async () => {
    const v = document.querySelector('video') as HTMLVideoElement;
    v.muted = true;
    // Played past a quarter of the clip (the local asset server takes no range requests, so no seeking:
    // fast instead), then paused; the player notes q25 on a timeupdate.
    v.playbackRate = 16;
    await v.play();
    await new Promise<void>((r) =>
      v.addEventListener('timeupdate', function past() {
        if (v.currentTime < v.duration * 0.3) return;
        v.removeEventListener('timeupdate', past);
        v.pause();
        r();
      }),
    );
  });
  // The host page takes the player away (as a page does when it moves on): the frame's document is
  // hidden and unloaded, so visibilitychange and pagehide fire in it. (Headless Chromium delivered no
  // beacon from the frame when the top page navigated or its tab closed: see the README.)
  await page.evaluate(() => document.querySelector('iframe')!.remove());
}

describe('the embed player in a page on another origin', () => {
  it('counts the impression, the play and the first quartile for the embedding site once the page is hidden', async () => {
    const context = await browser.newContext({ userAgent: PERSON, viewport: { width: 800, height: 500 } });
    const sent = beaconsOf(context);
    await watchAndLeave(await context.newPage());
    const site = (rows: Record<string, any>[]) => rows.find((r) => r.key === hostUrl);
    const rows = await statsUntil('site', (r) => site(r)?.plays === 1);
    expect(site(rows)).toEqual({ key: hostUrl, impressions: 1, plays: 1, q25: 1, q50: 0, q75: 0, completes: 0 });
    // One beacon, sent as the page was hidden, carrying every event of the visit.
    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0]!)).toEqual({ item: SEED, events: ['impression', 'play', 'q25'], site: hostUrl });
    const item = (await stats('item')).find((r) => r.key === SEED);
    expect(item).toMatchObject({ impressions: 1, plays: 1, q25: 1 });
    await context.close();
  });

  it('with Do Not Track and Global Privacy Control nothing is sent and nothing counted', async () => {
    const context = await browser.newContext({ userAgent: DNT_PERSON, extraHTTPHeaders: { DNT: '1', 'Sec-GPC': '1' } });
    // Chromium's headless shell has no setting for either: the page sees what a browser so set shows.
    await context.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, 'doNotTrack', { get: () => '1' });
      Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true });
    });
    const sent = beaconsOf(context);
    const before = (await stats('site')).find((r) => r.key === hostUrl);
    await watchAndLeave(await context.newPage());
    // A visit by another person after it, to know the beacons of that moment have landed.
    const control = await browser.newContext({ userAgent: OTHER_PERSON });
    await watchAndLeave(await control.newPage());
    const rows = await statsUntil('site', (r) => r.find((x) => x.key === hostUrl)?.plays === (before?.plays ?? 0) + 1);
    expect(rows.find((r) => r.key === hostUrl)?.plays).toBe((before?.plays ?? 0) + 1);
    expect(sent).toEqual([]);
    await context.close();
    await control.close();
  });
});

describe('the share control on the item page', () => {
  it('copies the link (headless Chromium on Linux has no navigator.share), says so, and counts one copy', async () => {
    const context = await browser.newContext({ userAgent: PERSON });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: w.url });
    const sent = beaconsOf(context);
    const page = await context.newPage();
    await page.goto(`${w.url}/videos/${SEED}`);
    expect(await page.evaluate(() => typeof navigator.share)).toBe('undefined');
    const button = page.getByRole('button', { name: 'Copy link' });
    // Reached from the keyboard, used with Enter.
    await button.focus();
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Copy link');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Link copied.');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${w.url}/videos/${SEED}`);
    const rows = await statsUntil('item', (r) => r.find((x) => x.key === SEED)?.shares === 1);
    expect(rows.find((r) => r.key === SEED)?.shares).toBe(1);
    expect(sent.map((s) => JSON.parse(s))).toEqual([{ item: SEED, events: ['share'], source: 'copy' }]);
    await context.close();
  });

  it('uses the Web Share API where there is one (stubbed here: the headless shell has none); a cancelled share is not sent', async () => {
    const context = await browser.newContext({ userAgent: OTHER_PERSON });
    await context.addInitScript(() => {
      let calls = 0;
      // The first share is cancelled by the person, the second completes.
      Object.defineProperty(Navigator.prototype, 'share', {
        value: async () => {
          if (calls++ === 0) throw new DOMException('Share canceled', 'AbortError');
        },
      });
    });
    const sent = beaconsOf(context);
    const page = await context.newPage();
    await page.goto(`${w.url}/videos/${SEED}`);
    const button = page.getByRole('button', { name: 'Share' });
    await button.click();
    await button.click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Shared.');
    await expect.poll(() => sent.length).toBe(1);
    // Time for a beacon of the cancelled share to show up, were there one.
    await page.waitForTimeout(300);
    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0]!)).toEqual({ item: SEED, events: ['share'], source: 'share' });
    await context.close();
  });

  it('without JavaScript it is a plain link to the story', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${w.url}/videos/${SEED}`);
    expect(await page.getByRole('link', { name: 'Link to this story' }).getAttribute('href')).toBe(`${w.url}/videos/${SEED}`);
    expect(await page.getByRole('button').count()).toBe(0);
    await context.close();
  });
});
