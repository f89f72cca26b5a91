// Live counts through the writer's one queue: owed below publish work, written by the alarm a batch
// per invocation within the KV budget, and paced per key like every other write.
import { runDurableObjectAlarm } from 'cloudflare:test';
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { FLUSH_BUDGET } from '../../src/publish/kv-writer';
import {
  countingKv,
  gate,
  get,
  importSettled,
  kvWith,
  publish,
  publisherStub,
  runAlarmsUntil,
  sleep,
  syntheticItem,
  withPublisherEnv,
} from '../helpers';

const N = 180;

describe('live counts and the KV budget', () => {
  it('many changed items: one invocation writes one batch, the alarm the rest, each page once', async () => {
    await importSettled(Array.from({ length: N }, (_, i) => syntheticItem(i + 1)));
    const totals = Array.from({ length: N }, (_, i) => ({ slug: `item-${i + 1}`, views: i + 1 }));
    // Every KV put waits at a gate, so what one invocation sends is seen before any of it lands.
    const { held, release } = gate();
    let waiting = 0;
    const gated = kvWith(env.FEEDS, {
      put: async (real, ...args: unknown[]) => {
        waiting++;
        await held;
        return real(...args);
      },
    });
    const { kv, counts, keys } = countingKv(gated);
    await withPublisherEnv({ FEEDS: kv }, async () => {
      const r = await publisherStub().counts(totals, Date.now());
      expect(r).toMatchObject({ applied: true, owed: N });
      expect(r.changed).toHaveLength(N);
      // The cron's call wrote nothing itself; the alarm (Miniflare fires it, or this does) takes a batch.
      const alarm = runDurableObjectAlarm(publisherStub());
      for (let i = 0; i < 50 && waiting === 0; i++) await sleep(20);
      await sleep(300);
      expect(waiting).toBe(100);
      expect(waiting).toBeLessThanOrEqual(FLUSH_BUDGET);
      release();
      await alarm;
      await runAlarmsUntil();
    });
    // Each item page once, nothing else (articles have no video sitemap entry), and each shows its number.
    expect(counts.put).toBe(N);
    expect(new Set(keys.put).size).toBe(N);
    expect(keys.put?.every((k) => /^doc:\/articles\/item-\d+$/.test(k))).toBe(true);
    expect(await (await get('/articles/item-1')).text()).toContain('· 0 shares · 1 view</p>');
    expect(await (await get(`/articles/item-${N}`)).text()).toContain(`· 0 shares · ${N} views</p>`);
  });

  it('owed below publish work: a publish meanwhile writes its own documents in its request', async () => {
    await importSettled(Array.from({ length: 20 }, (_, i) => syntheticItem(i + 1)));
    await publisherStub().counts(
      Array.from({ length: 20 }, (_, i) => ({ slug: `item-${i + 1}`, views: 2 })),
      Date.now(),
    );
    const pub = await publish(syntheticItem(21));
    expect(pub).toMatchObject({ deferred: 0, pending: 0 });
    expect((await get('/articles/item-21')).status).toBe(200);
    await runAlarmsUntil();
    expect(await (await get('/articles/item-20')).text()).toContain('· 0 shares · 2 views</p>');
  });

  it('a page written less than the pacing gap ago waits its turn', async () => {
    await withPublisherEnv({ KV_WRITE_GAP_MS: '1000' }, async () => {
      await publish(syntheticItem(1));
      const r = await publisherStub().counts([{ slug: 'item-1', views: 4 }], Date.now());
      expect(r).toMatchObject({ applied: true, changed: ['item-1'], owed: 1 });
      await runDurableObjectAlarm(publisherStub());
      // Still within the gap of the publish's own write: held back, not written.
      expect(await (await get('/articles/item-1')).text()).not.toContain('4 views');
      await sleep(1100);
      await runAlarmsUntil();
      expect(await (await get('/articles/item-1')).text()).toContain('· 0 shares · 4 views</p>');
    });
  });
});
