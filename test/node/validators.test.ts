// Real third-party tools on every feed wirefeed serves (every scope, every archive page): jing with
// RFC 4287's RELAX NG schema for Atom, Debian's python3-feedparser (bozo must be 0) for RSS and Atom,
// feedparser and lxml on the video podcast's iTunes and Podcasting 2.0 tags, and the newsroom CLI.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseSiteFile } from '../../scripts/content.mjs';
import { startWirefeed } from '../../scripts/harness.mjs';
import { publishContent } from '../../scripts/publish.mjs';
import { discoverFeeds, pool, type FeedDocs } from './feed-docs';

let w: Awaited<ReturnType<typeof startWirefeed>>;
let docs: FeedDocs;
/** Every RSS and Atom document, saved: path → file. */
const files = new Map<string, string>();
const dir = mkdtempSync(join(tmpdir(), 'wirefeed-validate-'));
const site = parseSiteFile(readFileSync('content/site.yaml', 'utf8')) as { title: string; edition: string; email: string };

const SEED = 'n-korea-blows-up-inter-korean-liaison-office';
const EXTRA = 100;

beforeAll(async () => {
  // Pacing off: every document is written by the publish that changes it, before the checks read it.
  w = await startWirefeed({ script: inject('workerScript'), bindings: { KV_WRITE_GAP_MS: '0' } });
  const { failed } = await publishContent({ url: w.url, dir: 'content', token: w.token, log: () => {} });
  expect(failed).toEqual([]);
  // Enough further articles for the main feed, /articles and a tag to have archive pages.
  const items = Array.from({ length: EXTRA }, (_, n) => ({
    slug: `filler-${n + 1}`,
    kind: 'article',
    title: `Filler story ${n + 1} & more`,
    summary: 'Short summary.',
    body: 'Body with <tags> & "quotes".',
    published: new Date(Date.UTC(2026, 0, 1, n)).toISOString(),
    language: 'en',
    authors: [{ name: 'Desk' }],
    tags: ['filler'],
  }));
  const res = await fetch(`${w.url}/api/import`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${w.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ items }),
  });
  expect(res.status).toBe(200);
  docs = await discoverFeeds(w.url);
  await pool([...docs.subscriptions, ...docs.archives], 4, async (path) => files.set(path, await save(path)));
}, 180_000);

afterAll(async () => {
  await w?.mf.dispose();
});

async function save(path: string): Promise<string> {
  const res = await fetch(`${w.url}${path}`);
  expect(res.status, path).toBe(200);
  const file = join(dir, path.replace(/[^a-z0-9.]+/gi, '_'));
  writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  return file;
}

const FEEDPARSER = `
import json, sys, feedparser
out = []
for path in sys.argv[1:]:
  d = feedparser.parse(open(path, 'rb').read())
  out.append({'bozo': d.bozo, 'error': str(d.get('bozo_exception') or ''), 'version': d.version,
    'ids': [e.get('id') for e in d.entries], 'titles': [e.get('title') for e in d.entries],
    'enclosures': [[(l.get('type'), l.get('length')) for l in e.get('links', []) if l.get('rel') == 'enclosure'] for e in d.entries],
    'lang': d.feed.get('language'), 'self': [l.get('href') for l in d.feed.get('links', []) if l.get('rel') == 'self']})
print(json.dumps(out))
`;

type Parsed = {
  bozo: number;
  error: string;
  version: string;
  ids: string[];
  titles: string[];
  enclosures: [string, string][][];
  lang: string;
  self: string[];
};

/** feedparser over many saved documents in one Python process. */
function feedparser(paths: string[]): Map<string, Parsed> {
  const out = JSON.parse(
    execFileSync('/usr/bin/python3', ['-c', FEEDPARSER, ...paths.map((p) => files.get(p) as string)], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    }),
  ) as Parsed[];
  return new Map(paths.map((p, i) => [p, out[i] as Parsed]));
}

describe('third-party validators over every feed', () => {
  const all = () => [...docs.subscriptions, ...docs.archives];

  it("the documents are every scope's RSS and Atom and the archive pages of the main feed, /articles and a tag", () => {
    expect(docs.subscriptions.length).toBe(2 * docs.scopes.length);
    for (const scope of ['', '/articles', '/tags/filler']) {
      expect(docs.archives, scope).toContain(`${scope}/archive/1/feed.xml`);
      expect(docs.archives, scope).toContain(`${scope}/archive/1/feed.atom`);
    }
  });

  it('jing: every Atom document is valid against the RFC 4287 RELAX NG schema', () => {
    const atom = all().filter((p) => p.endsWith('.atom'));
    const r = spawnSync('jing', ['-c', 'test/fixtures/atom.rnc', ...atom.map((p) => files.get(p) as string)], { encoding: 'utf8' });
    // Debian's jing wrapper warns on stderr about optional Java jars; the verdict is stdout and the exit code.
    expect(r.stdout.trim(), r.stdout).toBe('');
    expect(r.status).toBe(0);
  });

  it('jing rejects an Atom entry without an id (the check can fail)', () => {
    const broken = readFileSync(files.get('/feed.atom') as string, 'utf8').replace(/<id>tag:[^<]*<\/id>/, '');
    writeFileSync(join(dir, 'broken.atom'), broken);
    const r = spawnSync('jing', ['-c', 'test/fixtures/atom.rnc', join(dir, 'broken.atom')], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stdout).toMatch(/error/);
  });

  it('feedparser: every document parses with bozo 0, its version, tag: ids, its own self link and language', () => {
    const problems: Record<string, string[]> = {};
    for (const [path, d] of feedparser(all())) {
      const p = [
        Number(d.bozo) === 0 ? '' : `bozo: ${d.error}`,
        d.version === (path.endsWith('.atom') ? 'atom10' : 'rss20') ? '' : `version ${d.version}`,
        d.ids.length > 0 && d.ids.every((id) => id.startsWith('tag:')) ? '' : `ids ${JSON.stringify(d.ids.slice(0, 3))}`,
        JSON.stringify(d.self) === JSON.stringify([`${w.url}${path}`]) ? '' : `self ${JSON.stringify(d.self)}`,
        /^en/.test(d.lang ?? '') ? '' : `language ${d.lang}`,
      ].filter(Boolean);
      if (p.length) problems[path] = p;
    }
    expect(problems).toEqual({});
  });

  it('feedparser sees the same items, titles and enclosures in RSS and Atom, on every page', () => {
    const parsed = feedparser(all());
    for (const rss of all().filter((p) => p.endsWith('.xml'))) {
      const a = parsed.get(rss.replace(/\.xml$/, '.atom')) as Parsed;
      const r = parsed.get(rss) as Parsed;
      expect(a.ids, rss).toEqual(r.ids);
      expect(a.titles, rss).toEqual(r.titles);
      expect(a.enclosures, rss).toEqual(r.enclosures);
    }
    const videos = parsed.get('/videos/feed.xml') as Parsed;
    expect(videos.enclosures.length).toBeGreaterThan(0);
    expect(videos.enclosures).toEqual(videos.enclosures.map(() => [['video/mp4', expect.stringMatching(/^[1-9]\d+$/)]]));
  });

  it('feedparser reads the seed as its page describes it', () => {
    const out = execFileSync(
      '/usr/bin/python3',
      [
        '-c',
        `import sys, json, feedparser
d = feedparser.parse(open(sys.argv[1], 'rb').read())
e = [e for e in d.entries if e.link.endswith('/videos/${SEED}')][0]
print(json.dumps({'title': e.title, 'author': e.author, 'published': e.published_parsed[:3], 'duration': e.media_content[0]['duration'], 'thumb': e.media_thumbnail[0]['url'], 'tags': [t.term for t in e.tags]}))`,
        files.get('/videos/feed.xml') as string,
      ],
      { encoding: 'utf8' },
    );
    expect(JSON.parse(out)).toEqual({
      title: 'N.Korea blows up inter-Korean liaison office',
      author: 'Libby Hogan',
      published: [2020, 6, 16],
      duration: '134',
      thumb: `${w.url}/media/liaison-office.jpg`,
      // The section comes first, as its own category (with a scheme), then the tags.
      tags: ['World', 'north-korea', 'south-korea', 'kaesong', 'inter-korean-relations'],
    });
  });
});

// What feedparser 6 exposes of the iTunes tags; podcast:* it keeps as plain fields (podcast_guid), and
// of several podcast:transcript elements only the last one's attributes, so lxml reads those.
const PODCAST = `
import json, sys, feedparser
from lxml import etree
d = feedparser.parse(open(sys.argv[1], 'rb').read())
NS = {'itunes': 'http://www.itunes.com/dtds/podcast-1.0.dtd', 'podcast': 'https://podcastindex.org/namespace/1.0'}
ch = etree.parse(sys.argv[1]).find('channel')
atom = feedparser.parse(open(sys.argv[2], 'rb').read())
print(json.dumps({
  'feed': {'itunes_type': d.feed.get('itunes_type'), 'categories': [[t.term, t.scheme] for t in d.feed.get('tags', [])],
           'image': d.feed.get('image', {}).get('href'), 'owner': d.feed.get('publisher_detail'), 'guid': d.feed.get('podcast_guid'),
           'medium': d.feed.get('podcast_medium'), 'explicit': ch.findtext('itunes:explicit', namespaces=NS)},
  'entries': [{'link': e.link, 'duration': e.get('itunes_duration'), 'episodetype': e.get('itunes_episodetype'),
               'image': e.get('image', {}).get('href'), 'transcript': e.get('podcast_transcript')} for e in d.entries],
  'items': [{'link': i.findtext('link'), 'explicit': i.findtext('itunes:explicit', namespaces=NS),
             'transcripts': [dict(t.attrib) for t in i.findall('podcast:transcript', NS)]} for i in ch.findall('item')],
  'atomRelated': [[{'type': l.get('type'), 'href': l.get('href'), 'hreflang': l.get('hreflang')} for l in e.links if l.get('rel') == 'related'] for e in atom.entries],
}))`;

/** Width and height from a JPEG's start-of-frame segment. */
function jpegSize(b: Buffer): { width: number; height: number } | null {
  if (b[0] !== 0xff || b[1] !== 0xd8) return null;
  for (let i = 2; i + 9 < b.length && b[i] === 0xff; i += 2 + b.readUInt16BE(i + 2)) {
    const marker = b[i + 1] as number;
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker))
      return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
  }
  return null;
}

/** Podcasting 2.0 GUID: UUIDv5 in the namespace the spec gives, of the feed URL without its scheme. */
function podcastGuid(url: string): string {
  const ns = Buffer.from('ead4c236bf5858c6a2c6a6b28d128cb6', 'hex');
  const h = createHash('sha1')
    .update(ns)
    .update(url.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, ''))
    .digest()
    .subarray(0, 16);
  h[6] = ((h[6] as number) & 0x0f) | 0x50;
  h[8] = ((h[8] as number) & 0x3f) | 0x80;
  return h.toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
}

describe('the video podcast, as podcast apps read it', () => {
  let p: {
    feed: Record<string, unknown>;
    entries: { link: string; duration: string; episodetype: string; image: string; transcript: Record<string, string> | null }[];
    items: { link: string; explicit: string; transcripts: Record<string, string>[] }[];
    atomRelated: { type: string; href: string; hreflang: string | null }[][];
  };
  beforeAll(() => {
    p = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', PODCAST, files.get('/videos/feed.xml') as string, files.get('/videos/feed.atom') as string], {
        encoding: 'utf8',
      }),
    );
  });

  it('channel: episodic, not explicit, News category, square artwork of at least 1400 px, owner, GUID, medium', async () => {
    // The spec's own worked example first, so the GUID check below checks the right function.
    expect(podcastGuid('https://mp3s.nashownotes.com/pc20rss.xml')).toBe('917393e3-1b1e-5cef-ace4-edaa54e1f810');
    expect(p.feed).toEqual({
      itunes_type: 'episodic',
      categories: [['News', 'http://www.itunes.com/']],
      image: `${w.url}/media/logo.jpg`,
      owner: { name: `${site.title} (${site.edition})`, email: site.email },
      guid: podcastGuid(`${w.url}/videos/feed.xml`),
      medium: 'video',
      explicit: 'false',
    });
    const art = await fetch(p.feed.image as string);
    expect(art.status).toBe(200);
    expect(art.headers.get('content-type')).toMatch(/^image\/(jpeg|png)/);
    const size = jpegSize(Buffer.from(await art.arrayBuffer()));
    expect(size).not.toBeNull();
    expect(size!.width).toBe(size!.height);
    expect(size!.width).toBeGreaterThanOrEqual(1400);
    expect(size!.width).toBeLessThanOrEqual(3000);
  });

  it("episodes: duration, episode type, artwork and explicit on every item; the seed's is 2:14", () => {
    expect(p.entries.length).toBeGreaterThan(1);
    for (const e of p.entries) {
      expect(e.duration, e.link).toMatch(/^\d+:[0-5]\d(:[0-5]\d)?$/);
      expect(e.episodetype, e.link).toBe('full');
      expect(e.image, e.link).toMatch(new RegExp(`^${w.url}/media/.+\\.(jpg|png)$`));
    }
    expect(p.items.map((i) => i.explicit)).toEqual(p.items.map(() => 'false'));
    expect(p.entries.find((e) => e.link.endsWith(SEED))?.duration).toBe('2:14');
  });

  it("podcast:transcript: the seed's VTT captions and plain transcript, both served with their types", async () => {
    const seed = p.items.find((i) => i.link.endsWith(SEED))!;
    expect(seed.transcripts).toEqual([
      { url: `${w.url}/media/liaison-office.en.vtt`, type: 'text/vtt', language: 'en', rel: 'captions' },
      { url: `${w.url}/videos/${SEED}/transcript.txt`, type: 'text/plain', language: 'en' },
    ]);
    // feedparser exposes the element (the last of the two) to its users.
    expect(p.entries.find((e) => e.link.endsWith(SEED))?.transcript).toEqual(seed.transcripts[1]);
    for (const t of seed.transcripts) {
      const res = await fetch(t.url as string);
      expect(res.status, t.url).toBe(200);
      expect(res.headers.get('content-type'), t.url).toContain(t.type as string);
      const text = await res.text();
      if (t.type === 'text/vtt') expect(text.startsWith('WEBVTT')).toBe(true);
      else expect(text).toContain('North Korea blew up');
    }
    // The other video has neither captions nor a transcript, so no transcript tags at all.
    for (const i of p.items.filter((i) => i !== seed)) expect(i.transcripts, i.link).toEqual([]);
  });

  it("Atom links the seed's captions and transcript as related links with their types, then its related coverage", () => {
    const k = p.entries.findIndex((e) => e.link.endsWith(SEED));
    const links = p.atomRelated[k] ?? [];
    expect(links.filter((l) => l.type !== 'text/html')).toEqual([
      { type: 'text/vtt', href: `${w.url}/media/liaison-office.en.vtt`, hreflang: 'en' },
      { type: 'text/plain', href: `${w.url}/videos/${SEED}/transcript.txt`, hreflang: null },
    ]);
    // Related coverage: other stories' pages, never its own.
    const stories = links.filter((l) => l.type === 'text/html').map((l) => l.href);
    expect(stories.length).toBeGreaterThan(0);
    for (const href of stories) expect(href).toMatch(new RegExp(`^${w.url}/(articles|videos)/(?!${SEED}$)[a-z0-9-]+$`));
  });
});

describe('the video sitemap', () => {
  /** jing's verdict on `xml` against the video sitemap schema (Google's element order). */
  function jingSitemap(xml: string, name: string) {
    writeFileSync(join(dir, name), xml);
    return spawnSync('jing', ['-c', 'test/fixtures/sitemap-video.rnc', join(dir, name)], { encoding: 'utf8' });
  }

  it("with the seed's view_count, is valid in Google's element order (view_count before publication_date)", async () => {
    const xml = await (await fetch(`${w.url}/sitemaps/1.xml`)).text();
    expect(xml).toMatch(/<video:view_count>\d+<\/video:view_count><video:publication_date>/);
    const r = jingSitemap(xml, 'sitemap-1.xml');
    expect(r.stdout.trim(), r.stdout).toBe('');
    expect(r.status).toBe(0);
  });

  it('can fail: view_count after publication_date is refused', async () => {
    const xml = await (await fetch(`${w.url}/sitemaps/1.xml`)).text();
    const swapped = xml.replace(
      /(<video:view_count>\d+<\/video:view_count>)(<video:publication_date>[^<]*<\/video:publication_date>)/,
      '$2$1',
    );
    expect(swapped).not.toBe(xml);
    const r = jingSitemap(swapped, 'sitemap-swapped.xml');
    expect(r.status).not.toBe(0);
    expect(r.stdout).toMatch(/error/);
  });
});

describe('newsroom CLI', () => {
  it('publishes content/ and names the file and field of a bad item, changing nothing for it', () => {
    const bad = mkdtempSync(join(tmpdir(), 'wirefeed-content-'));
    mkdirSync(join(bad, 'items'));
    copyFileSync('content/site.yaml', join(bad, 'site.yaml'));
    const seed = readFileSync(`content/items/${SEED}.md`, 'utf8');
    writeFileSync(
      join(bad, 'items', 'broken-date.md'),
      seed.replace(`slug: ${SEED}`, 'slug: broken-date').replace(/^published: .*$/m, 'published: yesterday'),
    );
    const r = spawnSync('node', ['scripts/publish.mjs', '--url', w.url, '--dir', bad], {
      encoding: 'utf8',
      env: { ...process.env, API_TOKEN: w.token },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^broken-date\.md: published: "yesterday" is not a date-time with an offset/m);
    expect(r.stdout).toContain('0 published, 1 failed');
  });
});
