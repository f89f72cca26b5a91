// The newsroom API round trip: GET → edit one field → PUT, optional fields, plain-word validation, If-Match, status.
import { env } from 'cloudflare:test';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RENDER_VERSION } from '../../src/render/version';
import { HUB, ORIGIN, api, get, mockHub, publish, settleWriter, syntheticItem, withPublisherEnv } from '../helpers';

const CLIP = {
  slug: 'round-trip',
  kind: 'video',
  title: 'Round trip title',
  summary: 'Round trip summary',
  body: 'Round trip body with a [link](/about).',
  published: '2024-03-12T09:15:00+09:00',
  updated: '2024-03-12T10:15:00+09:00',
  language: 'en',
  section: 'Maritime',
  authors: [{ name: 'Mina Park' }],
  tags: ['maritime', 'drills'],
  image: { url: '/media/p.jpg', width: 1280, height: 720, alt: 'Poster' },
  video: { url: '/media/c.mp4', type: 'video/mp4', size: 1000, duration: 30, width: 640, height: 360 },
  captions: [{ url: '/media/c.en.vtt', language: 'en', label: 'English' }],
  transcript: 'Round trip transcript.',
  stats: { views: 2, shares: 1 },
};
const oembed = (format: string) => `/oembed?${new URLSearchParams({ url: `${ORIGIN}/videos/round-trip`, format })}`;
const OUTPUTS = [
  ...['', '/videos', '/tags/maritime', '/authors/mina-park', '/sections/maritime'].flatMap((s) => [
    `${s}/feed.xml`,
    `${s}/feed.atom`,
    `${s}/feed.json`,
    s || '/',
  ]),
  '/videos/round-trip',
  '/embed/round-trip',
  oembed('json'),
  oembed('xml'),
];

async function outputs(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const p of OUTPUTS) {
    const res = await get(p);
    expect(res.status, p).toBe(200);
    out[p] = await res.text();
  }
  return out;
}

const getItem = async (slug: string) => {
  const res = await api('GET', `/items/${slug}`);
  expect(res.status).toBe(200);
  return { etag: res.headers.get('ETag'), ...(await res.json<any>()) } as {
    etag: string | null;
    item: Record<string, unknown>;
    meta: Record<string, string>;
  };
};

afterEach(() => vi.restoreAllMocks());

describe('round trip', () => {
  it('GET answers exactly what PUT took; sending it back (meta and all) changes nothing', async () => {
    await publish(CLIP);
    const got = await getItem('round-trip');
    expect(got.item).toEqual(CLIP);
    expect(got.etag).toBe(got.meta.etag);
    expect(got.meta).toMatchObject({ state: 'published', path: '/videos/round-trip' });
    const res = await api('PUT', '/items/round-trip', {
      ...got.item,
      meta: { ...got.meta, id: 'urn:uuid:00000000-0000-0000-0000-000000000000', state: 'scheduled', hash: 'x' },
    });
    expect(res.status).toBe(200);
    expect(await res.json<any>()).toMatchObject({ changed: false, kvWrites: 0, kvDeletes: 0, state: 'published' });
    expect((await getItem('round-trip')).meta).toEqual(got.meta);
  });

  it.each([
    ['title', 'Round trip title', 'Round trip title, edited'],
    ['summary', 'Round trip summary', 'Round trip summary, edited'],
    ['transcript', 'Round trip transcript.', 'Round trip transcript, edited.'],
  ])('GET → change %s → PUT changes that field and nothing else in every output', async (field, from, to) => {
    await publish(CLIP);
    const before = await outputs();
    const got = await getItem('round-trip');
    const res = await api('PUT', '/items/round-trip', { ...got.item, [field]: to, meta: got.meta });
    expect(res.status).toBe(200);
    expect(await res.json<any>()).toMatchObject({ changed: true });
    const after = await outputs();
    let changed = 0;
    for (const p of OUTPUTS) {
      if (after[p] !== before[p]) changed++;
      expect(after[p]?.replaceAll(to, from), p).toBe(before[p]);
    }
    expect(changed).toBeGreaterThan(0);
    const again = await getItem('round-trip');
    expect(again.item).toEqual({ ...CLIP, [field]: to });
    expect(again.meta.hash).not.toBe(got.meta.hash);
    expect(again.meta.etag).not.toBe(got.meta.etag);
  });

  it('language, tags and authors may be left out: the site’s language and author, no tags', async () => {
    expect((await api('PUT', '/site', { title: 'Desk Wire', description: 'd', language: 'ko', author: 'The Desk' })).status).toBe(200);
    const { language: _l, tags: _t, authors: _a, ...bare } = syntheticItem(1);
    const res = await api('PUT', '/items/item-1', bare);
    expect(res.status).toBe(201);
    const item = (await (await get('/feed.json')).json<any>()).items[0];
    expect(item).toMatchObject({ language: 'ko', authors: [{ name: 'The Desk' }], tags: [] });
    expect((await get('/authors/the-desk/feed.json')).status).toBe(200);
    // GET still answers what was sent, defaults not written in.
    expect((await getItem('item-1')).item).toEqual(bare);
  });
});

// Every field of an item, with values of a type it never takes.
const WRONG: Record<string, unknown[]> = {
  slug: [42, true, null, {}],
  kind: [42, null, 'podcast', []],
  title: [42, true, null, {}, [], ''],
  summary: [42, false, null, {}, []],
  body: [42, null, {}, []],
  published: [42, null, '2021-02-30T00:00:00Z', 'yesterday', {}],
  updated: [42, null, 'soon', '2020-01-01T00:00:00Z'],
  language: [42, null, 'english language', {}],
  section: [42, null, {}, ''],
  authors: [42, null, 'Odd Writer', {}, [], [{}], [{ name: 42 }], [{ name: 'A', extra: 1 }]],
  tags: [42, null, 'common', {}, [42], ['']],
  image: [42, null, 'x.jpg', [], { url: '/x.jpg' }],
  stats: [42, null, [], { views: -1, shares: 0 }, { views: 'many', shares: 0 }],
  id: [42, null, 'not-an-id'],
  seq: [1, 'x'],
  bodyHtml: ['<p>x</p>'],
};
const REQUIRED = new Set(['kind', 'title', 'summary', 'published']);
const BASE = syntheticItem(1, {
  section: 'World',
  updated: '2021-06-01T00:00:00+00:00',
  image: { url: '/media/p.jpg', width: 10, height: 10, alt: 'a' },
  stats: { views: 1, shares: 0 },
});
const INTERNALS = /Invalid (key|type|length)|Expected|Received|expected|received|undefined|\bNaN\b|issue/;

describe('validation in plain words', () => {
  it('any mix of missing and mistyped fields: 4xx whose detail starts with one of those fields, in a sentence', async () => {
    const mutation = fc.dictionary(
      fc.constantFrom(...Object.keys(WRONG)),
      fc.oneof(
        fc.constant({ remove: true as const }),
        fc.nat(7).map((i) => ({ remove: false as const, i })),
      ),
      { minKeys: 1, maxKeys: 4 },
    );
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const body: Record<string, unknown> = { ...BASE };
        for (const [k, how] of Object.entries(m)) {
          if (how.remove) delete body[k];
          else body[k] = WRONG[k]![how.i % WRONG[k]!.length];
        }
        const res = await api('PUT', '/items/item-1', body);
        const fine = Object.entries(m).every(([k, how]) => how.remove && !REQUIRED.has(k));
        if (fine) {
          expect([200, 201], JSON.stringify(m)).toContain(res.status);
          return;
        }
        expect(res.status, JSON.stringify(m)).toBeGreaterThanOrEqual(400);
        expect(res.status, JSON.stringify(m)).toBeLessThan(500);
        const p = await res.json<any>();
        expect(p.detail.startsWith(`${p.field}: `), p.detail).toBe(true);
        expect(Object.keys(m), p.detail).toContain(/^[^.[]+/.exec(p.field)?.[0]);
        for (const e of [{ message: p.detail }, ...(p.errors ?? [])]) expect(e.message, p.detail).not.toMatch(INTERNALS);
      }),
      { numRuns: 50 },
    );
  });
});

describe('If-Match', () => {
  it('a stale If-Match on PUT or DELETE answers 412 and changes nothing; the current one or none goes through', async () => {
    await publish(CLIP);
    const first = await getItem('round-trip');
    const feed = await (await get('/feed.json')).text();
    // Another editor saves in between.
    const other = await api('PUT', '/items/round-trip', { ...first.item, title: 'Other editor' }, { 'If-Match': first.etag as string });
    expect(other.status).toBe(200);
    const current = other.headers.get('ETag') as string;
    expect(current).not.toBe(first.etag);
    const afterOther = await (await get('/feed.json')).text();
    expect(afterOther).not.toBe(feed);

    for (const [method, body] of [
      ['PUT', { ...first.item, title: 'Lost update' }],
      ['DELETE', undefined],
    ] as const) {
      const res = await api(method, '/items/round-trip', body, { 'If-Match': first.etag as string });
      expect(res.status, method).toBe(412);
      expect(res.headers.get('Content-Type')).toBe('application/problem+json; charset=utf-8');
      const p = await res.json<any>();
      expect(p).toMatchObject({ status: 412, field: 'If-Match' });
      expect(p.detail).toMatch(/^If-Match: /);
      expect(await (await get('/feed.json')).text(), method).toBe(afterOther);
      expect((await getItem('round-trip')).etag).toBe(current);
    }
    const ok = await api('PUT', '/items/round-trip', { ...first.item, title: 'Third edit' }, { 'If-Match': current });
    expect(ok.status).toBe(200);
    expect((await api('PUT', '/items/round-trip', { ...first.item, title: 'No precondition' })).status).toBe(200);
    const latest = (await getItem('round-trip')).etag as string;
    expect((await api('DELETE', '/items/round-trip', undefined, { 'If-Match': latest })).status).toBe(200);
    expect((await get('/videos/round-trip')).status).toBe(410);
  });
});

describe('status', () => {
  it('shows counts by state, what is scheduled, jobs, render version, last publish and hub pings with their outcome', async () => {
    const calls = mockHub(async () => new Response(null, { status: 204 }));
    const start = Date.now();
    let status: any;
    await withPublisherEnv({ HUB_URL: HUB }, async () => {
      await publish(syntheticItem(1));
      await publish(syntheticItem(2));
      await publish(syntheticItem(3, { published: new Date(Date.now() + 86_400_000).toISOString() }));
      await settleWriter();
      status = await (await api('GET', '/status')).json<any>();
    });
    expect(calls.length).toBeGreaterThan(0);
    expect(status.items).toEqual({ published: 2, scheduled: 1 });
    expect(status.scheduled).toEqual([{ slug: 'item-3', publishAt: expect.any(String) }]);
    expect(status.jobs).toEqual({ pending: 0, backlog: 0, failed: 0 });
    expect(status.failed).toEqual([]);
    expect(status.render).toEqual({ version: RENDER_VERSION, stored: RENDER_VERSION, rebuild: null });
    expect(Date.parse(status.lastPublish)).toBeGreaterThanOrEqual(start - 1000);
    expect(Date.parse(status.lastPublish)).toBeLessThanOrEqual(Date.now());
    expect(status.hub.url).toBe(HUB);
    expect(status.hub.pings.length).toBeGreaterThan(0);
    for (const ping of status.hub.pings) {
      expect(ping).toMatchObject({ ok: true, detail: 'HTTP 204' });
      expect(ping.topic).toMatch(new RegExp(`^${ORIGIN.replaceAll('.', '\\.')}/.*feed\\.(xml|atom|json)$`));
    }
    // What the writer counts is what KV holds.
    expect(status.documents).toBe((await env.FEEDS.list()).keys.length);
  });
});
