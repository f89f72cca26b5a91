// Live counts through the writer's one queue: below publish work, a batch per invocation within the KV
// budget (the alarm takes the rest), and paced per key like every other write.
import { runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { FLUSH_BUDGET } from '../../src/publish/kv-writer';
import {
  countPublisherKv,
  get,
  importSettled,
  publish,
  publisherStub,
  runAlarmsUntil,
  sleep,
  syntheticItem,
  withPublisherEnv,
} from '../helpers';

const N = 180;

describe('live counts and the KV budget', () => {
  it('many changed items: a batch now, the rest by the alarm, publishes first, each page written once', async () => {
    await importSettled(Array.from({ length: N }, (_, i) => syntheticItem(i + 1)));
    const totals = Array.from({ length: N }, (_, i) => ({ slug: `item-${i + 1}`, views: i + 1 }));
    let first: Awaited<ReturnType<ReturnType<typeof publisherStub>['counts']>> | undefined;
    const backlogs: number[] = [];
    const { counts, keys } = await countPublisherKv(async () => {
      first = await publisherStub().counts(totals, Date.now());
      // Not a burst: this invocation wrote one rebuild-sized batch (a page each), within its budget; the
      // rest is owed below publish work, for the alarm (which Miniflare may already be running).
      expect(first.changed).toHaveLength(N);
      expect(first.kvWrites).toBe(100);
      expect(first.kvWrites + first.kvDeletes).toBeLessThanOrEqual(FLUSH_BUDGET);
      // A publish meanwhile is not queued behind them: its own documents go out in its request.
      const pub = await publish(syntheticItem(N + 1));
      expect(pub.deferred).toBe(0);
      expect(pub.pending).toBe(0);
      expect((await get(`/articles/item-${N + 1}`)).status).toBe(200);
      await runAlarmsUntil(undefined, { between: async (s) => void backlogs.push(s.jobs.backlog) });
    });
    for (let i = 1; i < backlogs.length; i++) expect(backlogs[i - 1]! - backlogs[i]!).toBeLessThanOrEqual(100);
    // Every item page once (plus what the publish wrote), and every page shows its number.
    const pages = (keys.put ?? []).filter((k) => /^doc:\/articles\/item-\d+$/.test(k));
    expect(new Set(pages).size).toBe(pages.length);
    expect(pages.length).toBe(N + 1);
    expect(counts.put).toBeLessThan(N + 40);
    expect(await (await get('/articles/item-1')).text()).toContain('· 0 shares · 1 view</p>');
    expect(await (await get(`/articles/item-${N}`)).text()).toContain(`· 0 shares · ${N} views</p>`);
  });

  it('a page written less than the pacing gap ago waits its turn', async () => {
    await withPublisherEnv({ KV_WRITE_GAP_MS: '1000' }, async () => {
      await publish(syntheticItem(1));
      const r = await publisherStub().counts([{ slug: 'item-1', views: 4 }], Date.now());
      expect(r).toMatchObject({ applied: true, changed: ['item-1'], kvWrites: 0, deferred: 1 });
      expect(await (await get('/articles/item-1')).text()).not.toContain('4 views');
      await sleep(1100);
      await runDurableObjectAlarm(publisherStub());
      await runAlarmsUntil();
      expect(await (await get('/articles/item-1')).text()).toContain('· 0 shares · 4 views</p>');
    });
  });
});
