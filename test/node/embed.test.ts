// A real oEmbed consumer in headless Chromium: a host page on another origin discovers the endpoint
// from the item page, embeds the answer's iframe (plain and sandboxed) and the player loads the clip.
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, startWirefeed } from '../../scripts/harness.mjs';
import { publishContent } from '../../scripts/publish.mjs';

let w: Awaited<ReturnType<typeof startWirefeed>>;
let host: Server;
let hostUrl: string;
let browser: Browser;
let oembedHtml = '';

const SEED = 'n-korea-blows-up-inter-korean-liaison-office';

beforeAll(async () => {
  w = await startWirefeed({ script: inject('workerScript') });
  const { failed } = await publishContent({ url: w.url, dir: 'content', token: w.token, log: () => {} });
  expect(failed).toEqual([]);

  // Discovery the way consumers do it: read the item page's <head>, follow the json+oembed link.
  const page = await (await fetch(`${w.url}/videos/${SEED}`)).text();
  const link = /<link rel="alternate" type="application\/json\+oembed" href="([^"]+)"/.exec(page)?.[1];
  expect(link).toBeTruthy();
  const answer = (await (await fetch(link!.replace(/&amp;/g, '&') + '&maxwidth=480')).json()) as { type: string; html: string };
  expect(answer.type).toBe('video');
  oembedHtml = answer.html;

  const port = await freePort();
  hostUrl = `http://127.0.0.1:${port}`;
  host = createServer((req, res) => {
    const sandboxed = req.url?.startsWith('/sandboxed');
    const html = sandboxed ? oembedHtml.replace('<iframe ', '<iframe sandbox="allow-scripts" ') : oembedHtml;
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(
      `<!doctype html><html><head><title>host</title></head><body style="margin:0;background:#eee"><h1 style="font:16px sans-serif">Someone else's site</h1>${html}</body></html>`,
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

describe('embedding the seed video', () => {
  it.each(['/', '/sandboxed'])('host page %s: the iframe player loads the clip from another origin', async (path) => {
    const page = await browser.newPage({ viewport: { width: 800, height: 500 } });
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${hostUrl}${path}`);
    const frameEl = await page.waitForSelector('iframe');
    expect(await frameEl.getAttribute('width')).toBe('480');
    expect(await frameEl.getAttribute('height')).toBe('270');
    const frame = await frameEl.contentFrame();
    expect(frame).toBeTruthy();
    expect(frame!.url()).toBe(`${w.url}/embed/${SEED}`);
    await frame!.waitForFunction(() => (document.querySelector('video') as HTMLVideoElement | null)?.readyState! >= 1, undefined, {
      timeout: 30_000,
    });
    const state = await frame!.evaluate(() => {
      const v = document.querySelector('video') as HTMLVideoElement;
      const box = v.getBoundingClientRect();
      return { duration: v.duration, width: box.width, height: box.height, tracks: v.textTracks.length, error: v.error?.code ?? null };
    });
    expect(state.error).toBeNull();
    expect(state.duration).toBeGreaterThan(133);
    expect(state.duration).toBeLessThan(135);
    // The player fills the frame it is given.
    expect(state.width).toBe(480);
    expect(state.height).toBe(270);
    expect(state.tracks).toBe(1);
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: `test-results/embed${path === '/' ? '' : '-sandboxed'}.png` });
    expect(errors).toEqual([]);
    await page.close();
  });
});
