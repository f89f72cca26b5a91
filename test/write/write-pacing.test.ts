// KV takes one write a second per key: a burst of publishes writes each shared document once, then
// once more a second later with the whole burst in it, and the alarm announces what it wrote.
import { env, runDurableObjectAlarm } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  get,
  HUB,
  kvWith,
  mockHub,
  ORIGIN,
  publish,
  publisherStub,
  settleWriter,
  sleep,
  syntheticItem,
  withPublisherEnv,
} from '../helpers';

/** The real namespace, with the time of every put recorded per key. */
function timedKv(kv: KVNamespace): { kv: KVNamespace; puts: Map<string, number[]> } {
  const puts = new Map<string, number[]>();
  const wrapped = kvWith(kv, {
    put: (real, key: string, ...rest: unknown[]) => {
      puts.set(key, [...(puts.get(key) ?? []), Date.now()]);
      return real(key, ...rest);
    },
  });
  return { kv: wrapped, puts };
}

const feedIds = async () => (await (await get('/feed.json')).json<any>()).items.map((i: any) => i.id.split(':').pop());

afterEach(() => vi.restoreAllMocks());

describe('write pacing', () => {
  it('coalesces a burst: no key is written twice within a second, and nothing is lost', async () => {
    const calls = mockHub(async () => new Response(null, { status: 204 }));
    const { kv, puts } = timedKv(env.FEEDS);
    const stub = publisherStub();
    await withPublisherEnv({ FEEDS: kv, KV_WRITE_GAP_MS: '1000', HUB_URL: HUB }, async () => {
      expect((await publish(syntheticItem(1))).deferred).toBe(0);
      const second = await publish(syntheticItem(2));
      const third = await publish(syntheticItem(3));
      // Their own pages are new keys and go out at once; the shared feeds wait for the gap.
      expect(second.deferred).toBeGreaterThan(0);
      expect(third.deferred).toBeGreaterThan(0);
      expect((await get('/articles/item-3')).status).toBe(200);
      expect(await feedIds()).toEqual(['item-1']);

      await sleep(1100);
      // Miniflare may already have fired the alarm by itself; either way it has run once this returns.
      await runDurableObjectAlarm(stub);
      expect(await feedIds()).toEqual(['item-3', 'item-2', 'item-1']);
      await settleWriter();
    });
    expect(puts.get('doc:/feed.json')).toHaveLength(2);
    for (const [key, times] of puts) {
      for (let i = 1; i < times.length; i++) expect((times[i] as number) - (times[i - 1] as number), key).toBeGreaterThanOrEqual(1000);
    }
    // The writer announces each subscription feed each time it writes it: the main feed twice (the
    // first publish, then the alarm with the rest of the burst), never once per publish.
    const topics = calls.map((c) => new URLSearchParams(c.body).get('hub.url'));
    expect(topics.filter((t) => t === `${ORIGIN}/feed.json`)).toHaveLength(2);
    expect(topics.filter((t) => t === `${ORIGIN}/authors/odd-writer/feed.atom`)).toHaveLength(2);
    // A scope new in the burst (item 2 brought the first even-writer item) had nothing to wait for.
    expect(topics.filter((t) => t === `${ORIGIN}/authors/even-writer/feed.atom`)).toHaveLength(1);
  });
});
