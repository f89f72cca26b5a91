// Workers Cache: Cache-Tags on every public answer, and the writer purging exactly what it rewrote (through the EDGE_CACHE binding).
import { SELF, env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import {
  api,
  countingKv,
  countPublisherKv,
  get,
  ORIGIN,
  publish,
  publisherStub,
  purgeRecorder,
  runAlarmsUntil,
  settleWriter,
  syntheticItem,
  withPublisherEnv,
} from '../helpers';

const oembed = (page: string) => `/oembed?${new URLSearchParams({ url: `${ORIGIN}${page}` })}`;
const HANGUL = encodeURIComponent('이민');
const CLIP = syntheticItem(1, {
  slug: 'tagged-clip',
  kind: 'video',
  authors: [{ name: '이민' }],
  image: { url: '/media/p.jpg', width: 1280, height: 720, alt: 'Poster' },
  video: { url: '/media/c.mp4', type: 'video/mp4', size: 1000, duration: 30, width: 640, height: 360 },
  transcript: 'Words.',
});

/** Every tag a purge request names, and whether any asked for everything. */
async function purged(): Promise<{ tags: Set<string>; everything: boolean; calls: number }> {
  // Purges leave from the alarm, after the publish has answered.
  await settleWriter();
  const calls = await purgeRecorder(env).calls();
  return { tags: new Set(calls.flatMap((c) => c.tags ?? [])), everything: calls.some((c) => c.everything === true), calls: calls.length };
}

const status = async () => (await api('GET', '/status')).json<any>();

describe('Cache-Tag', () => {
  it('names the document (the key the writer purges; no scope tag, which nothing purges); oEmbed names its item', async () => {
    const first = await publish(syntheticItem(2, { slug: 'old-story' }));
    await publish({ ...syntheticItem(2), slug: 'new-story', id: first.id });
    await publish(CLIP);
    await publish(syntheticItem(3, { slug: 'gone-story' }));
    expect((await api('DELETE', '/items/gone-story')).status).toBe(200);
    const cases: [string, string][] = [
      ['/feed.xml', 'doc:/feed.xml'],
      ['/', 'doc:/'],
      ['/videos/feed.atom', 'doc:/videos/feed.atom'],
      ['/tags/common/feed.json', 'doc:/tags/common/feed.json'],
      ['/tags/common', 'doc:/tags/common'],
      [`/authors/${HANGUL}/feed.xml`, `doc:/authors/${HANGUL}/feed.xml`],
      [`/authors/${HANGUL}`, `doc:/authors/${HANGUL}`],
      ['/articles/new-story', 'doc:/articles/new-story'],
      ['/articles/old-story', 'doc:/articles/old-story'],
      ['/articles/gone-story', 'doc:/articles/gone-story'],
      ['/videos/tagged-clip', 'doc:/videos/tagged-clip'],
      ['/embed/tagged-clip', 'doc:/embed/tagged-clip'],
      ['/videos/tagged-clip/transcript.txt', 'doc:/videos/tagged-clip/transcript.txt'],
      ['/feeds', 'doc:/feeds'],
      ['/feeds.opml', 'doc:/feeds.opml'],
      ['/sitemap.xml', 'doc:/sitemap.xml'],
      ['/sitemaps/news.xml', 'doc:/sitemaps/news.xml'],
      [oembed('/videos/tagged-clip'), 'item:tagged-clip'],
      [oembed('/articles/old-story'), 'item:old-story,item:new-story'],
    ];
    for (const [path, tag] of cases) {
      const res = await SELF.fetch(`${ORIGIN}${path}`, { redirect: 'manual' });
      expect([200, 301, 410], path).toContain(res.status);
      expect(res.headers.get('Cache-Tag'), path).toBe(tag);
      const etag = res.headers.get('ETag');
      // A revalidation carries the same tags.
      if (etag) expect((await get(path, { 'If-None-Match': etag })).headers.get('Cache-Tag'), `${path} 304`).toBe(tag);
    }
  });
});

describe('purges', () => {
  it('each publish purges exactly the KV keys it wrote or deleted, and queues them again for when KV has settled', async () => {
    await publish(syntheticItem(2));
    await settleWriter();
    await purgeRecorder(env).reset();
    const before = Date.now();
    const { keys } = await countPublisherKv(() => publish(CLIP));
    const written = new Set([...(keys.put ?? []), ...(keys.delete ?? [])]);
    expect(written.size).toBeGreaterThan(10);
    const p = await purged();
    expect(p.everything).toBe(false);
    expect([...p.tags].sort()).toEqual([...written].sort());
    // The same tags go out once more after KV's propagation time (about 60 s): queued, not yet sent.
    const s = await status();
    expect(s.edgeCache.queued).toBeGreaterThanOrEqual(written.size);
    expect(s.edgeCache.result).toBe(`purged ${written.size} tags`);
    const later = await runInDurableObject(publisherStub(), (_i, state) =>
      state.storage.sql.exec<{ tag: string; due: number }>('SELECT tag, due FROM purges WHERE due >= ?', before + 60_000).toArray(),
    );
    expect(new Set(later.map((r) => r.tag))).toEqual(written);
    for (const { due } of later) expect(due).toBeLessThanOrEqual(Date.now() + 60_000);
    // And the alarm is set to come back for them.
    expect(await runInDurableObject(publisherStub(), (_i, state) => state.storage.getAlarm())).not.toBeNull();

    // Withdrawing purges what it deletes and rewrites, the 410 pages included.
    await settleWriter();
    await purgeRecorder(env).reset();
    const gone = await countPublisherKv(() => api('DELETE', '/items/tagged-clip'));
    const changed = new Set([...(gone.keys.put ?? []), ...(gone.keys.delete ?? [])]);
    expect(changed.has('doc:/videos/tagged-clip')).toBe(true);
    expect([...(await purged()).tags].sort()).toEqual([...changed].sort());
  });

  it('a publish that changes nothing purges nothing', async () => {
    await publish(CLIP);
    await settleWriter();
    await purgeRecorder(env).reset();
    const again = await publish(CLIP);
    expect(again.kvWrites).toBe(0);
    await settleWriter();
    expect(await purgeRecorder(env).calls()).toEqual([]);
  });

  it('purges are paced: a burst of publishes within the gap waits for one later call', async () => {
    // One patch for both (nested patches would each start from the original bindings).
    const { kv, keys } = countingKv(env.FEEDS);
    await withPublisherEnv({ PURGE_GAP_MS: '12000', FEEDS: kv }, async () => {
      await publish(syntheticItem(1));
      expect((await purged()).calls).toBe(1);
      keys.put = [];
      await publish(syntheticItem(2));
      // Within the gap: nothing sent, the new tags wait for the alarm at the end of the gap.
      expect((await purged()).calls).toBe(1);
      const waiting = await runInDurableObject(publisherStub(), (_i, state) =>
        state.storage.sql.exec<{ tag: string }>('SELECT DISTINCT tag FROM purges WHERE due <= ?', Date.now()).toArray(),
      );
      expect(new Set(waiting.map((w) => w.tag))).toEqual(new Set(keys.put));
      const alarm = (await runInDurableObject(publisherStub(), (_i, state) => state.storage.getAlarm())) as number;
      expect(alarm).toBeGreaterThan(Date.now() + 5_000);
      expect(alarm).toBeLessThanOrEqual(Date.now() + 12_000);
    });
  });

  it('a completed rebuild asks to purge everything', async () => {
    for (const n of [1, 2, 3]) await publish(syntheticItem(n));
    await purgeRecorder(env).reset();
    expect((await api('POST', '/rebuild')).status).toBe(202);
    expect((await runAlarmsUntil((s) => s.render.rebuild === null, { max: 20 })).render.rebuild).toBeNull();
    // The purge leaves from the outbox: by the alarm that finished the rebuild, or by the next one.
    await settleWriter();
    expect(await purgeRecorder(env).calls()).toContainEqual({ everything: true });
  });
});
