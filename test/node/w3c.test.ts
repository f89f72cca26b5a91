// The W3C Feed Validation Service's own code, by URL, over every RSS and Atom document the bundled
// Worker serves (every scope, every archive page, the video podcast), and over feeds of hostile text.
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, startWirefeed } from '../../scripts/harness.mjs';
import { parseItemFile, parseSiteFile } from '../../scripts/content.mjs';
import { publishContent } from '../../scripts/publish.mjs';
import { nameKey } from '../../src/model/names';
import { discoverFeeds, w3cFindings, w3cValidate, type FeedDocs } from './feed-docs';
import { HOSTILE, hostileItems } from './hostile-items';

type Wirefeed = Awaited<ReturnType<typeof startWirefeed>>;
let w: Wirefeed;
let h: Wirefeed;
let docs: FeedDocs;

// 160 short articles on top of content/: the main feed, /articles, the filler tag and author get two
// archive pages each (so archives link to archives), the section of the first 120 exactly one.
const FILLERS = Array.from({ length: 160 }, (_, n) => ({
  slug: `filler-${n + 1}`,
  kind: 'article',
  title: `Filler story ${n + 1}: rates & "tariffs" — 속보`,
  summary: 'Short summary.',
  body: 'Body with <tags> & "quotes".',
  published: new Date(Date.UTC(2026, 0, 1, n)).toISOString(),
  language: 'en',
  ...(n < 120 ? { section: 'Briefs' } : {}),
  authors: [{ name: 'Desk' }],
  tags: ['filler'],
}));

async function call(base: Wirefeed, method: string, path: string, body: unknown): Promise<Response> {
  return fetch(`${base.url}/api${path}`, {
    method,
    headers: { Authorization: `Bearer ${base.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

beforeAll(async () => {
  // Pacing off: every document is written by the publish that changes it, before the checks read it.
  const script = inject('workerScript');
  const start = () => startWirefeed({ script, bindings: { KV_WRITE_GAP_MS: '0' } });
  [w, h] = await Promise.all([start(), start()]);
  const { failed } = await publishContent({ url: w.url, dir: 'content', token: w.token, log: () => {} });
  expect(failed).toEqual([]);
  expect((await call(w, 'POST', '/import', { items: FILLERS })).status).toBe(200);
  docs = await discoverFeeds(w.url);

  // The hostile site: content/'s settings, then only the hostile items.
  expect((await call(h, 'PUT', '/site', parseSiteFile(readFileSync('content/site.yaml', 'utf8')))).status).toBe(200);
  const res = await call(h, 'POST', '/import', { items: hostileItems() });
  expect(res.status, await res.clone().text()).toBe(200);
}, 180_000);

afterAll(async () => {
  await Promise.all([w?.mf.dispose(), h?.mf.dispose()]);
});

describe('every RSS and Atom document, found as readers find them', () => {
  it('/feeds.opml names a scope for everything, both kinds and every tag, author and section of the items', () => {
    const items = [
      ...readdirSync('content/items')
        .filter((f) => f.endsWith('.md'))
        .map((f) => parseItemFile(readFileSync(`content/items/${f}`, 'utf8'), f)),
      ...FILLERS,
    ] as { tags?: string[]; authors?: { name: string }[]; section?: string }[];
    const distinct = (names: (string | undefined)[]) => new Set(names.filter((n): n is string => !!n).map(nameKey)).size;
    const count = (prefix: string) => docs.scopes.filter((s) => s.startsWith(prefix)).length;
    expect(docs.scopes.slice(0, 1)).toEqual(['']);
    expect(docs.scopes.filter((s) => s === '/videos' || s === '/articles').sort()).toEqual(['/articles', '/videos']);
    expect(count('/tags/')).toBe(distinct(items.flatMap((i) => i.tags ?? [])));
    expect(count('/authors/')).toBe(distinct(items.flatMap((i) => (i.authors ?? []).map((a) => a.name))));
    expect(count('/sections/')).toBe(distinct(items.map((i) => i.section)));
    expect(new Set(docs.scopes).size).toBe(docs.scopes.length);
  });

  it('/feeds links exactly the RSS and Atom documents the OPML names', async () => {
    const page = await (await fetch(`${w.url}/feeds`)).text();
    const linked = new Set([...page.matchAll(/href="([^"]+\/feed\.(?:xml|atom))"/g)].map((m) => new URL(m[1] as string).pathname));
    expect([...linked].sort()).toEqual([...docs.subscriptions].sort());
  });

  it('RFC 5005 links reach two archive pages of the main feed, /articles, the filler tag and author, one of the section', () => {
    for (const scope of ['', '/articles', '/tags/filler', '/authors/desk', '/sections/briefs']) {
      for (const format of ['xml', 'atom']) {
        const pages = docs.archives.filter((p) => new RegExp(`^${scope}/archive/\\d+/feed\\.${format}$`).test(p));
        // A lone archive page (no older, no newer one) is a case of its own for RFC 5005 links.
        if (scope === '/sections/briefs') expect(pages, `${scope}/feed.${format}`).toEqual([`${scope}/archive/1/feed.${format}`]);
        else expect(pages.length, `${scope}/feed.${format}`).toBeGreaterThanOrEqual(2);
      }
    }
  });
});

describe('the W3C Feed Validation Service (its code, offline) by URL', () => {
  it("every scope's subscription RSS and Atom: 0 errors, 0 warnings", { timeout: 240_000 }, async () => {
    expect(docs.subscriptions.length).toBe(2 * docs.scopes.length);
    expect(await w3cFindings(w.url, docs.subscriptions)).toEqual({});
  });

  it('every archive page, RSS and Atom: 0 errors, 0 warnings', { timeout: 240_000 }, async () => {
    expect(docs.archives.length).toBeGreaterThanOrEqual(12);
    expect(await w3cFindings(w.url, docs.archives)).toEqual({});
  });

  it('the video podcast /videos/feed.xml, with its iTunes and Podcasting 2.0 tags, served as application/xml', async () => {
    const res = await fetch(`${w.url}/videos/feed.xml`);
    expect(res.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    const text = await res.text();
    // The validator judges these tags only when they are there.
    for (const tag of [
      '<itunes:image ',
      '<itunes:category ',
      '<itunes:explicit>',
      '<itunes:owner>',
      '<itunes:duration>',
      '<itunes:episodeType>',
      '<podcast:guid>',
      '<podcast:transcript ',
    ]) {
      expect(text, tag).toContain(tag);
    }
    expect(await w3cValidate(`${w.url}/videos/feed.xml`)).toEqual({ feedType: 'rss2', errors: [], warnings: [] });
  });

  it('can fail: a wrong Content-Type, a feed away from its self link and a channel without a link are reported', async () => {
    const bytes = Buffer.from(await (await fetch(`${w.url}/videos/feed.xml`)).arrayBuffer());
    const port = await freePort();
    const other: Server = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(bytes));
    await new Promise<void>((r) => other.listen(port, '127.0.0.1', r));
    try {
      const v = await w3cValidate(`http://127.0.0.1:${port}/videos/feed.xml`);
      expect(v.warnings.join('\n')).toContain('Feeds should not be served with the "text/html" media type');
      expect(v.warnings.join('\n')).toContain("Self reference doesn't match document location");
    } finally {
      other.close();
    }
    const file = join(mkdtempSync(join(tmpdir(), 'wirefeed-w3c-')), 'broken.xml');
    writeFileSync(file, bytes.toString('utf8').replace(/<link>[^<]*<\/link>/, ''));
    const broken = await w3cValidate(file, `${w.url}/videos/feed.xml`);
    expect(broken.errors.join('\n')).toContain('Missing channel element: link');
  });
});

// Plain-text fields read back exactly, by lxml: a writer that dropped or mangled characters could
// otherwise pass the validator.
const READ_BACK = `
import json, sys
from lxml import etree
NS = {'a': 'http://www.w3.org/2005/Atom', 'dc': 'http://purl.org/dc/elements/1.1/', 'content': 'http://purl.org/rss/1.0/modules/content/', 'media': 'http://search.yahoo.com/mrss/'}
rss, atom = etree.parse(sys.argv[1]), etree.parse(sys.argv[2])
print(json.dumps({
  'rss': [{'title': i.findtext('title'), 'mediaTitle': i.findtext('media:title', namespaces=NS), 'creators': [c.text for c in i.findall('dc:creator', NS)],
           'categories': [c.text for c in i.findall('category')], 'content': len(i.findtext('content:encoded', namespaces=NS) or '')} for i in rss.iter('item')],
  'atom': [{'title': e.findtext('a:title', namespaces=NS), 'summary': e.findtext('a:summary', namespaces=NS),
            'authors': [[a.findtext('a:name', namespaces=NS), a.findtext('a:uri', namespaces=NS)] for a in e.findall('a:author', NS)],
            'categories': [c.get('label') for c in e.findall('a:category', NS)]} for e in atom.iter('{http://www.w3.org/2005/Atom}entry')],
}))`;

describe('hostile text: markup characters, CDATA ends, non-Latin scripts, a relative author URL, a huge body', () => {
  it('every RSS and Atom document of the hostile site: 0 errors, 0 warnings', { timeout: 240_000 }, async () => {
    const hostile = await discoverFeeds(h.url);
    // Everything, both kinds, one section, three authors (with the site's own) and five tags.
    expect(hostile.scopes.length).toBe(12);
    expect(await w3cFindings(h.url, [...hostile.subscriptions, ...hostile.archives])).toEqual({});
  });

  it('what the validator passed still says exactly what the newsroom wrote', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wirefeed-hostile-'));
    for (const f of ['xml', 'atom']) writeFileSync(join(dir, f), Buffer.from(await (await fetch(`${h.url}/feed.${f}`)).arrayBuffer()));
    const got = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', READ_BACK, join(dir, 'xml'), join(dir, 'atom')], { encoding: 'utf8', maxBuffer: 64 << 20 }),
    );
    type Sent = {
      title: string;
      summary: string;
      section?: string;
      tags?: string[];
      authors?: { name: string; url?: string }[];
      body: string;
    };
    const items = (hostileItems() as Sent[]).reverse();
    const siteAuthor = String(parseSiteFile(readFileSync('content/site.yaml', 'utf8')).author);
    expect(got.rss.map((i: { title: string }) => i.title)).toEqual(items.map((i) => i.title));
    expect(got.rss.map((i: { mediaTitle: string }) => i.mediaTitle)).toEqual(items.map((i) => i.title));
    expect(got.atom.map((e: { title: string }) => e.title)).toEqual(items.map((i) => i.title));
    expect(got.atom.map((e: { summary: string }) => e.summary)).toEqual(items.map((i) => i.summary));
    for (const [k, item] of items.entries()) {
      const names = [...(item.section ? [item.section] : []), ...(item.tags ?? [])];
      expect(got.rss[k].categories, item.title).toEqual(names);
      expect(got.atom[k].categories, item.title).toEqual(names);
      expect(got.rss[k].creators, item.title).toEqual((item.authors ?? [{ name: siteAuthor }]).map((a) => a.name));
      // Atom author URIs are absolute: '/about' resolves against the site.
      const uris = (item.authors ?? []).map((a) => [a.name, a.url?.startsWith('/') ? `${h.url}${a.url}` : (a.url ?? null)]);
      if (item.authors) expect(got.atom[k].authors, item.title).toEqual(uris);
    }
    expect(items.map((i) => i.title).join('')).toContain(HOSTILE);
    // The huge body reaches the RSS in full (its HTML is longer than its Markdown).
    const huge = items.findIndex((i) => i.body.length > 100_000);
    expect(got.rss[huge].content).toBeGreaterThan((items[huge] as Sent).body.length);
  });
});
