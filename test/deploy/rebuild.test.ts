// Full re-renders: forced by the API, started by a stale render version (cron or request), and the render-version golden test.
import {
  SELF,
  abortAllDurableObjects,
  createExecutionContext,
  createScheduledController,
  env,
  runInDurableObject,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import Wirefeed from '../../src/index';
import { RENDER_VERSION } from '../../src/render/version';
import {
  api,
  countPublisherKv,
  get,
  ORIGIN,
  publish,
  publisherStub,
  purgeRecorder,
  runAlarmsUntil,
  settleWriter,
  sleep,
  syntheticItem,
  withPublisherEnv,
} from '../helpers';

// 110 articles: 121 rebuild jobs (6 subscription documents, directory, news, a sitemap page, 2 archive pages, 110 slugs), two batches.
const CORPUS = Array.from({ length: 110 }, (_, n) => syntheticItem(n + 1));
const FEEDS = [
  '',
  '/articles',
  '/tags/common',
  '/tags/third',
  '/authors/odd-writer',
  '/authors/even-writer',
  '/archive/1',
  '/articles/archive/1',
].flatMap((s) => ['xml', 'atom', 'json'].map((f) => `${s}/feed.${f}`));

/** Every feed answers 200 with items: a rebuild serves the old copies, never a 404 or an empty feed. */
async function expectFeedsServed(when: string) {
  for (const path of FEEDS) {
    const res = await get(path);
    expect(res.status, `${path} ${when}`).toBe(200);
    const text = await res.text();
    const count = path.endsWith('.json') ? JSON.parse(text).items.length : (text.match(/<(item|entry)[ >]/g) ?? []).length;
    expect(count, `${path} ${when}`).toBeGreaterThan(0);
  }
}

/** Readers polling every feed while the writer works (Miniflare fires a due alarm by itself, so they race it). */
function pollFeeds(): { stop: () => Promise<number> } {
  let done = false;
  let polls = 0;
  const readers = (async () => {
    while (!done) {
      await expectFeedsServed('while the rebuild runs');
      polls++;
    }
  })();
  return {
    stop: async () => {
      done = true;
      await readers;
      return polls;
    },
  };
}

const progress = async () =>
  (await (await api('GET', '/rebuild')).json<any>()) as {
    version: number;
    stored: number | null;
    rebuild: { total: number; done: number; reason: string } | null;
  };

/** Runs the writer's alarm until the rebuild is over, checking the feeds between batches. */
async function driveRebuild(): Promise<void> {
  await runAlarmsUntil((s) => s.render.rebuild === null, {
    max: 30,
    between: async ({ render: { rebuild } }) => {
      expect(rebuild.done).toBeLessThanOrEqual(rebuild.total);
      await expectFeedsServed(`during the rebuild (${rebuild.done}/${rebuild.total})`);
    },
  });
  // Done: what the last batch queued for the edge leaves from the alarm, as it does after a publish.
  await settleWriter();
}

describe('rebuild', () => {
  it('POST /api/rebuild rewrites every document in alarm batches, serving every feed throughout', async () => {
    expect((await api('POST', '/import', { items: CORPUS })).status).toBe(200);
    const documents = (await (await api('GET', '/status')).json<any>()).documents as number;
    await purgeRecorder(env).reset();
    const readers = pollFeeds();
    const { counts, keys } = await countPublisherKv(async () => {
      const res = await api('POST', '/rebuild');
      expect(res.status).toBe(202);
      // The request does one batch of 100 jobs; the alarm does the rest.
      expect((await res.json<any>()).render.rebuild).toMatchObject({ total: 121, done: 100, reason: 'requested' });
      await driveRebuild();
    });
    expect(await readers.stop()).toBeGreaterThan(0);
    // Every document KV holds was written once, identical bytes included.
    expect(counts.put).toBe(documents);
    expect(new Set(keys.put).size).toBe(documents);
    expect(await progress()).toEqual({ version: RENDER_VERSION, stored: RENDER_VERSION, rebuild: null });
    await expectFeedsServed('after the rebuild');
    // Once KV holds everything, the edge is told to drop everything.
    expect(await purgeRecorder(env).calls()).toContainEqual({ everything: true });
  });

  it('a forced rebuild that writes identical bytes keeps their validators', async () => {
    await publish(syntheticItem(1));
    const paths = ['/feed.xml', '/', '/articles/item-1'];
    const before = await Promise.all(paths.map(async (p) => (await get(p)).headers));
    await sleep(1100);
    expect((await api('POST', '/rebuild')).status).toBe(202);
    await driveRebuild();
    for (const [i, p] of paths.entries()) {
      const h = (await get(p)).headers;
      expect([h.get('ETag'), h.get('Last-Modified')], p).toEqual([before[i]?.get('ETag'), before[i]?.get('Last-Modified')]);
    }
  });

  it('a stale render version found by the cron rebuilds by itself, feeds answering throughout', async () => {
    expect((await api('POST', '/import', { items: CORPUS })).status).toBe(200);
    // A deploy of an older renderer: the writer's books say KV holds version 1.
    await runInDurableObject(
      publisherStub(),
      (_i, state) => void state.storage.sql.exec("UPDATE settings SET value = '1' WHERE key = 'rv'"),
    );
    await abortAllDurableObjects();
    await purgeRecorder(env).reset();
    const readers = pollFeeds();
    // No request reaches the writer before the cron does: the Cron Trigger's handler, as the runtime calls it.
    const ctx = createExecutionContext();
    await new Wirefeed(ctx, env).scheduled(createScheduledController());
    await waitOnExecutionContext(ctx);
    await driveRebuild();
    expect(await readers.stop()).toBeGreaterThan(0);
    expect(await progress()).toEqual({ version: RENDER_VERSION, stored: RENDER_VERSION, rebuild: null });
    // Only a finished rebuild purges everything: the cron started one and the alarm finished it.
    expect(await purgeRecorder(env).calls()).toContainEqual({ everything: true });
  });

  it('a stale render version found by any request starts a rebuild that the alarm carries on at once', async () => {
    // A few items: nothing else (a purge backlog) keeps the alarm due, so only the rebuild can.
    for (const n of [1, 2, 3]) await publish(syntheticItem(n));
    await runInDurableObject(
      publisherStub(),
      (_i, state) => void state.storage.sql.exec("UPDATE settings SET value = '1' WHERE key = 'rv'"),
    );
    await abortAllDurableObjects();
    const p = await progress();
    expect(p.rebuild).toMatchObject({ reason: 'new render version', done: 0 });
    // Nothing waits for the next cron (a minute) or a publish: the writer's own alarm finishes it within
    // seconds. Reading progress does not drive the writer, so only the alarm can.
    let now = p;
    for (let i = 0; i < 30 && now.rebuild !== null; i++) {
      await sleep(100);
      now = await progress();
    }
    expect(now, 'the rebuild a request noticed, 3 s later').toEqual({ version: RENDER_VERSION, stored: RENDER_VERSION, rebuild: null });
  });
});

// The golden corpus: fixed settings and items (a video with captions, transcript and stats; a Unicode
// article with a section; a renamed and a withdrawn item), two items a page so there are archives.
const SITE = {
  title: 'Golden Wire',
  description: 'A fixed corpus for the render version check.',
  language: 'en',
  author: 'Golden Desk',
  copyright: '© 2026 Golden Wire',
  edition: 'Test Edition',
  email: 'desk@golden.example',
  logo: '/media/logo.jpg',
  icon: '/favicon.ico',
  category: 'News',
};
const MEDIA = {
  image: { url: '/media/liaison-office.jpg', width: 1280, height: 720, alt: 'Title card & "quotes"' },
  video: { url: '/media/liaison-office.mp4', type: 'video/mp4', size: 372439, duration: 134, width: 640, height: 360 },
};
const GOLDEN = [
  {
    slug: 'liaison',
    kind: 'video',
    title: 'Liaison office <blown> up',
    summary: 'A video summary.',
    body: 'Video **body** with a [link](/about).',
    published: '2020-06-16T18:30:00+09:00',
    section: 'World',
    authors: [{ name: 'Libby Hogan', url: 'https://example.com/libby' }],
    tags: ['north-korea', 'Kaesong'],
    ...MEDIA,
    captions: [{ url: '/media/liaison-office.en.vtt', language: 'en', label: 'English' }],
    transcript: 'Spoken words, line one.\nLine two.',
    stats: { views: 1234, shares: 56 },
  },
  {
    slug: 'cafe',
    kind: 'article',
    title: 'Café à Séoul — 서울의 카페 ☕ & “quotes”',
    summary: 'Ünïcödé summary ]]> with CDATA end.',
    body: '# Heading\n\n- one\n- two\n\n`code` <script>x</script> [mail](mailto:a@b.example)',
    published: '2021-03-04T05:06:07+00:00',
    updated: '2021-03-05T00:00:00+09:00',
    language: 'ko',
    section: 'Économie',
    authors: [{ name: '이민' }, { name: 'José Núñez' }],
    tags: ['경제', 'café'],
  },
  {
    slug: 'old-name',
    kind: 'article',
    title: 'A story that moves',
    summary: 'It will be renamed.',
    published: '2022-01-01T00:00:00Z',
    tags: ['moves'],
  },
  {
    slug: 'withdrawn-clip',
    kind: 'video',
    title: 'Withdrawn clip',
    summary: 'It will be withdrawn.',
    published: '2019-01-01T00:00:00Z',
    ...MEDIA,
  },
  {
    slug: 'plain',
    kind: 'article',
    title: 'Plain article',
    summary: 'Defaults for language and author.',
    published: '2023-07-08T09:10:11-04:00',
  },
] as const;

const SCOPES = [
  '',
  '/videos',
  '/articles',
  '/tags/north-korea',
  '/tags/경제',
  '/authors/libby-hogan',
  '/authors/이민',
  '/sections/world',
  '/sections/economie',
];

function goldenPaths(): string[] {
  const enc = (s: string) => s.split('/').map(encodeURIComponent).join('/');
  const oembed = (page: string, format: string) => `/oembed?${new URLSearchParams({ url: `${ORIGIN}${page}`, format })}`;
  return [
    ...SCOPES.flatMap((s) => ['xml', 'atom', 'json'].map((f) => enc(`${s}/feed.${f}`)).concat(enc(s) || '/')),
    ...['xml', 'atom', 'json'].map((f) => `/archive/1/feed.${f}`),
    '/archive/1',
    '/videos/liaison',
    '/embed/liaison',
    '/videos/liaison/transcript.txt',
    '/articles/cafe',
    '/articles/moved-name',
    '/articles/plain',
    '/articles/old-name',
    '/videos/withdrawn-clip',
    '/embed/withdrawn-clip',
    ...['/videos/liaison', '/articles/cafe', '/articles/old-name'].flatMap((p) => [oembed(p, 'json'), oembed(p, 'xml')]),
    '/sitemap.xml',
    '/sitemaps/1.xml',
    '/sitemaps/news.xml',
    '/sitemaps/scopes.xml',
    '/feeds',
    '/feeds.opml',
  ];
}

async function sha(bytes: ArrayBuffer): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return [...d.subarray(0, 12)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Status, type and a hash of the bytes of every golden document (a 301's Location stands for its bytes). */
async function goldenHashes(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const path of goldenPaths()) {
    const res = await fetchManual(path);
    const body = res.status === 301 ? new TextEncoder().encode(res.headers.get('Location') ?? '').buffer : await res.arrayBuffer();
    out[decodeURIComponent(path)] = `${res.status} ${res.headers.get('Content-Type')} ${await sha(body as ArrayBuffer)}`;
  }
  return out;
}

const fetchManual = (path: string) => SELF.fetch(`${ORIGIN}${path}`, { redirect: 'manual' });

describe('render version', () => {
  it('a fixed corpus renders to the bytes recorded for this RENDER_VERSION', async () => {
    await withPublisherEnv({ PAGE_SIZE: '2' }, async () => {
      expect((await api('PUT', '/site', SITE)).status).toBe(200);
      const ids: Record<string, string> = {};
      for (const item of GOLDEN) ids[item.slug] = (await publish(item)).id;
      await publish({ ...GOLDEN[2], slug: 'moved-name', id: ids['old-name'] });
      expect((await api('DELETE', '/items/withdrawn-clip')).status).toBe(200);
    });
    const hashes = await goldenHashes();
    // Every document kind is there: a missing one would hash a 404 and hide a renderer.
    for (const [path, h] of Object.entries(hashes)) {
      const expected = path.startsWith('/articles/old-name') ? '301' : path.includes('withdrawn-clip') ? '410' : '200';
      expect(h.slice(0, 3), path).toBe(expected);
    }
    try {
      expect(hashes).toMatchSnapshot(`render version ${RENDER_VERSION}`);
    } catch (err) {
      // The snapshot's own diff is kept (it says which documents changed); the message says what to do.
      if (err instanceof Error) {
        err.message =
          "rendered bytes changed but RENDER_VERSION did not: bump it in src/render/version.ts (and run vitest -u to record the new version's snapshot). " +
          `If RENDER_VERSION is already ${RENDER_VERSION} for this change, only its snapshot is missing (CI never writes one): run vitest -u locally and commit test/__snapshots__/rebuild.test.ts.snap.\n\n${err.message}`;
      }
      throw err;
    }
  });
});
