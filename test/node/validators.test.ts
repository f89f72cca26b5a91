// Real third-party tools on every feed wirefeed serves: jing with RFC 4287's RELAX NG schema for Atom,
// Debian's python3-feedparser (bozo must be 0) for RSS and Atom, and the newsroom CLI on a bad file.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorker, startWirefeed } from '../../scripts/harness.mjs';
import { publishContent } from '../../scripts/publish.mjs';

let w: Awaited<ReturnType<typeof startWirefeed>>;
const dir = mkdtempSync(join(tmpdir(), 'wirefeed-validate-'));

const SCOPES = ['', '/videos', '/articles', '/tags/north-korea', '/tags/maritime', '/authors/libby-hogan', '/authors/mina-park'];
const EXTRA = 100;

beforeAll(async () => {
  // Pacing off: every document is written by the publish that changes it, before the checks read it.
  w = await startWirefeed({ script: buildWorker('dist/test-validators'), bindings: { KV_WRITE_GAP_MS: '0' } });
  const { failed } = await publishContent({ url: w.url, dir: 'content', token: w.token, log: () => {} });
  expect(failed).toEqual([]);
  // Enough further articles for the main feed to have an archive page.
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
d = feedparser.parse(open(sys.argv[1], 'rb').read())
print(json.dumps({'bozo': d.bozo, 'error': str(d.get('bozo_exception') or ''), 'version': d.version,
  'ids': [e.get('id') for e in d.entries], 'titles': [e.get('title') for e in d.entries],
  'enclosures': [[(l.get('type'), l.get('length')) for l in e.get('links', []) if l.get('rel') == 'enclosure'] for e in d.entries],
  'lang': d.feed.get('language'), 'self': [l.get('href') for l in d.feed.get('links', []) if l.get('rel') == 'self']}))
`;

function feedparser(file: string) {
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', FEEDPARSER, file], { encoding: 'utf8' }));
}

describe('third-party validators', () => {
  const docs = [...SCOPES.flatMap((s) => ['xml', 'atom'].map((f) => `${s}/feed.${f}`)), '/archive/1/feed.xml', '/archive/1/feed.atom'];

  it.each(docs.filter((d) => d.endsWith('.atom')))('jing: %s is valid against the RFC 4287 RELAX NG schema', async (path) => {
    const file = await save(path);
    const r = spawnSync('jing', ['-c', 'test/fixtures/atom.rnc', file], { encoding: 'utf8' });
    // Debian's jing wrapper warns on stderr about optional Java jars; the verdict is stdout and the exit code.
    expect(r.stdout.trim(), r.stdout).toBe('');
    expect(r.status).toBe(0);
  });

  it('jing rejects an Atom entry without an id (the check can fail)', async () => {
    const file = await save('/feed.atom');
    const broken = readFileSync(file, 'utf8').replace(/<id>tag:[^<]*<\/id>/, '');
    writeFileSync(`${file}.broken`, broken);
    const r = spawnSync('jing', ['-c', 'test/fixtures/atom.rnc', `${file}.broken`], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stdout).toMatch(/error/);
  });

  it.each(docs)('feedparser: %s parses with bozo 0', async (path) => {
    const file = await save(path);
    const d = feedparser(file);
    expect(Number(d.bozo), d.error).toBe(0);
    expect(d.version).toBe(path.endsWith('.atom') ? 'atom10' : 'rss20');
    expect(d.ids.length).toBeGreaterThan(0);
    expect(d.ids.every((id: string) => id.startsWith('tag:'))).toBe(true);
    expect(d.self).toEqual([`${w.url}${path}`]);
    expect(d.lang).toMatch(/^en/);
  });

  it('feedparser sees the same items, titles and enclosures in RSS and Atom', async () => {
    for (const scope of SCOPES) {
      const rss = feedparser(await save(`${scope}/feed.xml`));
      const atom = feedparser(await save(`${scope}/feed.atom`));
      expect(atom.ids, scope).toEqual(rss.ids);
      expect(atom.titles, scope).toEqual(rss.titles);
      expect(atom.enclosures, scope).toEqual(rss.enclosures);
    }
    const videos = feedparser(await save('/videos/feed.xml'));
    expect(videos.enclosures.flat()).toEqual(videos.enclosures.map(() => ['video/mp4', expect.stringMatching(/^[1-9]\d+$/)]).map((x: unknown) => x));
  });

  it('feedparser reads the seed as its page describes it', async () => {
    const out = execFileSync(
      '/usr/bin/python3',
      ['-c', `import sys, json, feedparser
d = feedparser.parse(open(sys.argv[1], 'rb').read())
e = [e for e in d.entries if e.link.endswith('/videos/n-korea-blows-up-inter-korean-liaison-office')][0]
print(json.dumps({'title': e.title, 'author': e.author, 'published': e.published_parsed[:3], 'duration': e.media_content[0]['duration'], 'thumb': e.media_thumbnail[0]['url'], 'tags': [t.term for t in e.tags]}))`, await save('/videos/feed.xml')],
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

describe('newsroom CLI', () => {
  it('publishes content/ and names the file and field of a bad item, changing nothing for it', () => {
    const bad = mkdtempSync(join(tmpdir(), 'wirefeed-content-'));
    mkdirSync(join(bad, 'items'));
    copyFileSync('content/site.yaml', join(bad, 'site.yaml'));
    const seed = readFileSync('content/items/n-korea-blows-up-inter-korean-liaison-office.md', 'utf8');
    writeFileSync(join(bad, 'items', 'broken-date.md'), seed.replace('slug: n-korea-blows-up-inter-korean-liaison-office', 'slug: broken-date').replace(/^published: .*$/m, 'published: yesterday'));
    const r = spawnSync('node', ['scripts/publish.mjs', '--url', w.url, '--dir', bad], { encoding: 'utf8', env: { ...process.env, API_TOKEN: w.token } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^broken-date\.md: published: "yesterday" is not a date-time with an offset/m);
    expect(r.stdout).toContain('0 published, 1 failed');
  });
});
