// A person opening /feed.xml and /feed.atom in headless Chromium reads a styled page (CSS named by an
// xml-stylesheet processing instruction, no XSLT), while readers get the very same bytes.
import { mkdirSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startWirefeed } from '../../scripts/harness.mjs';
import { publishContent } from '../../scripts/publish.mjs';

let w: Awaited<ReturnType<typeof startWirefeed>>;
let browser: Browser;

beforeAll(async () => {
  w = await startWirefeed({ script: inject('workerScript'), bindings: { KV_WRITE_GAP_MS: '0' } });
  const { failed } = await publishContent({ url: w.url, dir: 'content', token: w.token, log: () => {} });
  expect(failed).toEqual([]);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await w?.mf.dispose();
});

// htmlEntities: fast-xml-parser decodes numeric character references (&#x26;) only with it on.
const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  htmlEntities: true,
  isArray: (name) => name === 'item' || name === 'entry',
});

/** The feed's own title and item titles, read from the bytes a reader gets. */
function titlesOf(text: string): { feed: string; items: string[] } {
  type Text = string | { '#text': string };
  const str = (t: Text) => String(typeof t === 'object' ? t['#text'] : t);
  const doc = xml.parse(text) as {
    rss?: { channel: { title: Text; item: { title: Text }[] } };
    feed?: { title: Text; entry: { title: Text }[] };
  };
  if (doc.rss) return { feed: str(doc.rss.channel.title), items: doc.rss.channel.item.map((i) => str(i.title)) };
  return { feed: str(doc.feed!.title), items: doc.feed!.entry.map((e) => str(e.title)) };
}

/** Every text and CDATA node the page shows (its element displayed, with a box), joined. */
const visibleText = (page: Page) =>
  page.evaluate(() => {
    const out: string[] = [];
    const walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_CDATA_SECTION);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || !n.textContent?.trim()) continue;
      const box = el.getBoundingClientRect();
      if (getComputedStyle(el).display !== 'none' && box.width > 0 && box.height > 0) out.push(n.textContent.trim());
    }
    return out.join('\n');
  });

describe.each([
  ['RSS', '/feed.xml', 'feed-rss.png'],
  ['Atom', '/feed.atom', 'feed-atom.png'],
])('%s opened in Chromium', (_name, path, shot) => {
  it("reads as a page: feed title, what a feed is, the site address, each item's title, date and summary", async () => {
    const plain = await (await fetch(`${w.url}${path}`)).text();
    const titles = titlesOf(plain);
    expect(titles.items.length).toBeGreaterThanOrEqual(5);

    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    const css: number[] = [];
    page.on('response', (r) => r.url() === `${w.url}/feed.css` && css.push(r.status()));
    const res = await page.goto(`${w.url}${path}`);
    expect(res!.status()).toBe(200);
    // The browser got exactly what a reader gets.
    expect((await res!.body()).toString('utf8')).toBe(plain);
    expect(css).toEqual([200]);

    // Chromium's raw-XML tree viewer is not shown: the document is styled by our CSS instead.
    const text = await visibleText(page);
    expect(text).not.toContain('<channel>');
    expect(text).not.toContain('<?xml');
    expect(text).not.toContain('does not appear to have any style information');
    expect(text).not.toMatch(/<\/?(rss|feed|item|entry|title)\b/);

    await expect.poll(() => page.getByText(titles.feed, { exact: true }).filter({ visible: true }).count()).toBe(1);
    // Each item's title, in order, as rendered text: the title elements are found by CSS and their
    // text compared; the hidden media:title matches the selector too, and the visibility filter leaves it out.
    const shown = page.locator(':is(item, entry) > title').filter({ visible: true });
    expect(await shown.count()).toBe(titles.items.length);
    for (const [i, t] of titles.items.entries()) {
      expect(await shown.nth(i).isVisible(), t).toBe(true);
      expect(await shown.nth(i).textContent(), t).toBe(t);
      expect(text, t).toContain(t);
    }
    // The site's address: RSS shows the channel's <link> text, Atom the alternate link's href (::after).
    const site = await page.evaluate(() => {
      const root = document.documentElement;
      const link =
        [...root.children].find((e) => e.localName === 'link' && (e.getAttribute('rel') ?? 'alternate') === 'alternate') ??
        [...(root.querySelector('channel')?.children ?? [])].find((e) => e.localName === 'link');
      if (!link) return null;
      const box = link.getBoundingClientRect();
      const after = getComputedStyle(link, '::after').content;
      return {
        text: link.textContent || after.replace(/^"|"$/g, ''),
        before: getComputedStyle(link, '::before').content,
        visible: box.width > 0 && box.height > 0,
      };
    });
    expect(site).toEqual({ text: `${w.url}/`, before: '"Website: "', visible: true });

    const style = await page.evaluate(() => {
      const root = document.documentElement;
      const holder = root.querySelector('channel') ?? root;
      const first = [...holder.children].find((e) => e.localName === 'item' || e.localName === 'entry')!;
      const child = (name: string) => [...first.children].find((e) => e.localName === name);
      const title = child('title')!;
      const date = child('pubDate') ?? child('published');
      const summary = [...first.children].find(
        (e) => e.localName === 'summary' || (e.localName === 'description' && e.namespaceURI !== null),
      );
      const shown = (e: Element | undefined) => !!e && getComputedStyle(e).display !== 'none' && e.getBoundingClientRect().height > 0;
      return {
        titleWeight: Number(getComputedStyle(title).fontWeight),
        feedTitleWeight: Number(getComputedStyle([...holder.children].find((e) => e.localName === 'title')!).fontWeight),
        explanation: getComputedStyle(holder, '::before').content,
        date: shown(date) ? date!.textContent : null,
        summary: shown(summary) ? summary!.textContent : null,
        // Full content and the raw guid/id are for readers, not shown.
        hidden: [...first.children].filter((e) => ['guid', 'id', 'encoded', 'content'].includes(e.localName)).map(shown),
      };
    });
    expect(style.titleWeight).toBeGreaterThanOrEqual(600);
    expect(style.feedTitleWeight).toBeGreaterThanOrEqual(700);
    expect(style.explanation).toMatch(/^"This is a web feed\. To follow it, copy the address .* into a feed reader/);
    expect(style.date).toMatch(/\d{4}/);
    expect(style.summary?.length).toBeGreaterThan(20);
    expect(style.hidden.length).toBeGreaterThan(0);
    expect(style.hidden.every((shown) => !shown)).toBe(true);

    mkdirSync('test-results', { recursive: true });
    // Playwright's fullPage screenshot waits on document.body, which an XML document has not: the
    // viewport grows to the page instead.
    const height = await page.evaluate(() => document.documentElement.getBoundingClientRect().height);
    await page.setViewportSize({ width: 1000, height: Math.min(4000, Math.ceil(height) + 32) });
    await page.screenshot({ path: `test-results/${shot}` });
    await page.close();
  });

  it('the same bytes for every client: no Vary, a text/css stylesheet PI pointing at /feed.css', async () => {
    const browserish = await fetch(`${w.url}${path}`, {
      headers: {
        Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
        'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0',
      },
    });
    const reader = await fetch(`${w.url}${path}`, {
      headers: { Accept: 'application/rss+xml, application/atom+xml', 'User-Agent': 'NetNewsWire (RSS Reader; https://netnewswire.com/)' },
    });
    const bare = await fetch(`${w.url}${path}`);
    const bodies = await Promise.all([browserish, reader, bare].map(async (r) => Buffer.from(await r.arrayBuffer()).toString('base64')));
    expect(new Set(bodies).size).toBe(1);
    for (const r of [browserish, reader, bare]) {
      expect(r.headers.get('vary')).toBeNull();
      expect(r.headers.get('content-type')).toBe('application/xml; charset=utf-8');
      expect(r.headers.get('etag')).toBe(bare.headers.get('etag'));
    }
    const text = Buffer.from(bodies[0] as string, 'base64').toString('utf8');
    // The PI follows the XML declaration, before the root element.
    const pi = /^<\?xml [^?]*\?>\s*<\?xml-stylesheet ([^?]*)\?>\s*<(rss|feed)\b/.exec(text);
    expect(pi, text.slice(0, 300)).not.toBeNull();
    const attrs = Object.fromEntries([...(pi![1] as string).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    expect(attrs.type).toBe('text/css');
    expect(new URL(attrs.href as string, `${w.url}${path}`).toString()).toBe(`${w.url}/feed.css`);
    const css = await fetch(`${w.url}/feed.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css\b/);
    expect(await css.text()).toContain('::before');
  });
});
