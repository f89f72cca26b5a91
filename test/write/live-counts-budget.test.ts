// Live counts through the writer's one queue: owed below publish work and apart from a rebuild's,
// written by the alarm a batch per invocation within the KV budget, and paced per key like every other write.
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { FLUSH_BUDGET } from '../../src/publish/kv-writer';
import { takeCounts, type CountsResult } from '../../src/publish/live-counts';
import type { Publisher } from '../../src/publish/publisher';
import type { RebuildProgress } from '../../src/publish/results';
import { rebuildProgress, startRebuild } from '../../src/publish/rebuild';
import type { Pass, Stores } from '../../src/publish/stores';
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
  writerStatus,
} from '../helpers';

const N = 180;

type Numbers = { progress: RebuildProgress | null; backlog: number; pending: number };

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
  it('during a rebuild: owed apart from it, so its progress and its end ignore them; the pages are still written', async () => {
    await importSettled(Array.from({ length: N }, (_, i) => syntheticItem(i + 1)));
    const totals = Array.from({ length: N }, (_, i) => ({ slug: `item-${i + 1}`, views: 7 }));
    // In one synchronous step, so no alarm runs in between: a rebuild part-way (its first 150 jobs
    // written, among them the newest item pages), then the counts taken as the writer takes them.
    type Seen = { before: Numbers; after: Numbers; r: CountsResult; owed: number };
    const seen: Seen = await runInDurableObject(publisherStub(), (instance: Publisher): Seen => {
      const i = instance as unknown as { stores: Stores; pass: (now: number) => Pass };
      const stores = i.stores;
      startRebuild(i.pass(Date.now()), 'requested');
      for (const job of stores.queue.rebuildBatch(150)) stores.queue.done(job);
      const numbers = (): Numbers => ({
        progress: rebuildProgress(stores),
        backlog: stores.queue.rebuildLeft(),
        pending: stores.queue.pending(),
      });
      const before = numbers();
      const r = takeCounts(stores, totals, Date.now(), 60_000);
      return { before, after: numbers(), r, owed: stores.queue.countsLeft() };
    });
    expect(seen.before.progress).toMatchObject({ done: 150 });
    expect(seen.r).toMatchObject({ applied: true, owed: N });
    expect(seen.after).toEqual(seen.before);
    // The pages the rebuild had written owe the counts apart; the rest the rebuild writes with them.
    expect(seen.owed).toBeGreaterThan(0);
    expect((await writerStatus()).liveCounts.owed).toBeGreaterThan(0);
    const s = await runAlarmsUntil();
    expect(s.render.rebuild).toBeNull();
    expect(s.render.stored).toBe(s.render.version);
    expect(s.liveCounts).toMatchObject({ owed: 0 });
    for (const n of [1, 60, N]) expect(await (await get(`/articles/item-${n}`)).text()).toContain('· 0 shares · 7 views</p>');
  });
});
