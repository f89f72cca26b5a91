// The writer under load and faults: one invocation's KV budget, refused puts, an edge purge and a hub that never answer.
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Publisher } from '../../src/publish/publisher';
import { FLUSH_BUDGET } from '../../src/publish/kv-writer';
import {
  api,
  countingKv,
  get,
  HUB,
  kvWith,
  mockHub,
  ORIGIN,
  parseXml,
  publish,
  publisherStub,
  retryOwedNow,
  runAlarmsUntil,
  settleWriter,
  sleep,
  syntheticItem,
  walkArchives,
  withPublisherEnv,
} from '../helpers';

const status = async () => (await api('GET', '/status')).json<any>();
const feedSlugs = async (path = '/feed.json') =>
  (await (await get(path)).json<any>()).items.map((i: any) => String(i.url).split('/').pop());

/** Every key KV holds. */
async function kvKeys(): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | undefined;
  do {
    const page: KVNamespaceListResult<unknown> = await env.FEEDS.list(cursor ? { cursor } : {});
    out.push(...page.keys.map((k) => k.name));
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return out;
}

/** Slugs of each RSS page from `path` down the RFC 5005 prev-archive links, newest page first. */
async function walk(path: string): Promise<string[][]> {
  const pages = await walkArchives(path, async (at) => {
    const res = await get(at);
    expect(res.status, at).toBe(200);
    const channel = parseXml(await res.text()).rss.channel;
    const prev = (channel['atom:link'] as any[]).find((l) => l['@rel'] === 'prev-archive');
    return {
      slugs: (channel.item ?? []).map((i: any) => String(i.link).split('/').pop()) as string[],
      prev: prev ? new URL(prev['@href']).pathname : null,
    };
  });
  return pages.map((p) => p.slugs);
}

afterEach(() => vi.restoreAllMocks());

describe('KV budget', () => {
  it('no invocation of the writer writes more than FLUSH_BUDGET keys, and everything owed is written', async () => {
    // Small pages: every import makes dozens of archive pages besides the item pages.
    const items = Array.from({ length: 350 }, (_, n) => syntheticItem(n + 1));
    const { kv, counts } = countingKv(env.FEEDS);
    // Writes and deletes per invocation: every request, alarm and cron runs the writer's run() once, one at a time.
    const perInvocation: number[] = [];
    const ops = () => (counts.put ?? 0) + (counts.delete ?? 0);
    await runInDurableObject(publisherStub(), (instance: Publisher) => {
      const i = instance as unknown as { run: (...a: unknown[]) => Promise<unknown> };
      const runOnce = i.run;
      i.run = async function (this: unknown, ...a: unknown[]) {
        const start = ops();
        try {
          return await runOnce.apply(this, a);
        } finally {
          perInvocation.push(ops() - start);
        }
      };
    });
    await withPublisherEnv({ FEEDS: kv, PAGE_SIZE: '4' }, async () => {
      for (const batch of [items.slice(0, 200), items.slice(200)]) {
        const res = await api('POST', '/import', { items: batch });
        expect(res.status).toBe(200);
        const body = await res.json<any>();
        // Soft: a budget overrun is reported, and the rest (is everything written?) still checked.
        expect.soft(body.kvWrites + body.kvDeletes, 'writes+deletes of the import request').toBeLessThanOrEqual(FLUSH_BUDGET);
        expect(body.deferred, 'the import owes more than one invocation may write').toBeGreaterThan(0);
      }
      const s = await runAlarmsUntil();
      expect(s.jobs).toEqual({ pending: 0, backlog: 0, failed: 0 });
      expect(s.items.published).toBe(350);
    });
    expect.soft(Math.max(...perInvocation), `writes+deletes per invocation: ${perInvocation.join(', ')}`).toBeLessThanOrEqual(FLUSH_BUDGET);
    expect(perInvocation.filter((n) => n > FLUSH_BUDGET / 2).length).toBeGreaterThanOrEqual(2);
    // Everything was written in the end: the books and KV agree, every archive chain holds every item once.
    const s = await status();
    expect((await kvKeys()).length).toBe(s.documents);
    for (const [path, members] of [
      ['/feed.xml', 350],
      ['/tags/third/feed.xml', 116],
      ['/authors/even-writer/feed.xml', 175],
    ] as const) {
      const pages = await walk(path);
      expect(new Set(pages.flat()).size, path).toBe(members);
      expect(pages.flat().length, path).toBe(members);
      for (const p of pages.slice(1)) expect(p.length, path).toBe(4);
    }
    for (const n of [1, 99, 200, 201, 350]) expect((await get(`/articles/item-${n}`)).status).toBe(200);
  });
});

describe('KV refusing puts', () => {
  it('the other writes of a job land and are served; the refused ones are retried until KV takes them, never set aside', async () => {
    // The writer logs each refusal; the assertions below say what matters.
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 2 ** 13 - 1 }), async (attempts, mask) => {
        n++;
        const item = syntheticItem(n);
        const scopes = ['', '/articles', n % 2 ? '/authors/odd-writer' : '/authors/even-writer', n % 3 ? '/tags/common' : '/tags/third'];
        // The documents a publish writes: each scope's feeds and page, and the item's own page.
        const paths = [...scopes.flatMap((s) => [`${s}/feed.xml`, `${s}/feed.json`, s || '/']), `/articles/item-${n}`];
        let refused = paths.filter((_, i) => mask & (1 << i));
        if (!refused.length) refused = [paths[mask % paths.length] as string];
        const holds = async (p: string) => {
          const res = await get(p);
          return res.status === 200 && new RegExp(`/articles/item-${n}["<]`).test(await res.text());
        };
        let failing = true;
        const refusing = kvWith(env.FEEDS, {
          put: (real, key: string, ...rest: unknown[]) =>
            failing && refused.some((p) => `doc:${p}` === key) ? Promise.reject(new Error(`KV refused ${key}`)) : real(key, ...rest),
        });
        const { kv, keys } = countingKv(refusing);
        await withPublisherEnv({ FEEDS: kv }, async () => {
          const res = await api('PUT', `/items/item-${n}`, item);
          expect(res.status).toBe(202);
          const body = await res.json<any>();
          // One job per scope page, one for the item: each job with a refused write stays owed.
          const jobOf = (p: string) =>
            p === `/articles/item-${n}` ? 'slug' : (scopes.find((s) => s && (p === s || p.startsWith(`${s}/`))) ?? '');
          const jobs = new Set(refused.map(jobOf));
          expect(body.pending).toBe(jobs.size);
          for (const p of paths) expect(await holds(p), p).toBe(!refused.includes(p));
          // KV keeps refusing: the alarm retries each time (back-off skipped), and nothing is set aside.
          for (let i = 0; i < attempts; i++) {
            await retryOwedNow();
            await runDurableObjectAlarm(publisherStub());
          }
          const during = await status();
          expect(during.jobs).toEqual({ pending: jobs.size, backlog: 0, failed: 0 });
          failing = false;
          keys.put = [];
          await retryOwedNow();
          await runDurableObjectAlarm(publisherStub());
          // The retry writes exactly what KV refused: the writes that landed are held.
          expect(new Set(keys.put), 'rewritten on retry').toEqual(new Set(refused.map((p) => `doc:${p}`)));
          for (const p of paths) expect(await holds(p), `${p} after the retry`).toBe(true);
          const after = await status();
          expect(after.jobs).toEqual({ pending: 0, backlog: 0, failed: 0 });
          expect(after.failed).toEqual([]);
        });
      }),
      { numRuns: 12 },
    );
  });
});

describe('outbox that never answers', () => {
  it('an edge purge that hangs holds no publish; the alarm gives it up after 10 s', async () => {
    let asked = 0;
    const hung = {
      purge: () => {
        asked++;
        return new Promise<never>(() => {});
      },
    };
    await withPublisherEnv({ EDGE_CACHE: hung as unknown as Env['EDGE_CACHE'], PURGE_GAP_MS: '60000' }, async () => {
      await publish(syntheticItem(1));
      // Purges leave from the alarm, due now: Miniflare fires it; if it has not, we do (not awaited: it hangs).
      for (let i = 0; i < 40 && !asked; i++) await sleep(50);
      if (!asked) void runDurableObjectAlarm(publisherStub());
      for (let i = 0; i < 40 && !asked; i++) await sleep(50);
      expect(asked).toBe(1);
      const res = await api('PUT', '/items/item-2', syntheticItem(2));
      expect(res.status, 'a publish while the purge hangs').toBe(201);
      // Answered while the purge still hangs: the writer has not given it up yet, so nothing is booked.
      expect((await status()).edgeCache.result, 'the hung purge, when the publish answered').toBeNull();
      expect(await feedSlugs()).toEqual(['item-2', 'item-1']);
      // The hung call is given up, and booked for the status, once its 10 s are over.
      for (let i = 0; i < 60 && (await status()).edgeCache.result === null; i++) await sleep(250);
      expect((await status()).edgeCache.result).toBe('not purged: no answer in 10000 ms');
    });
  }, 30_000);

  it('a hub that never answers holds no publish: one answers while the alarm still waits on its pings', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    const calls = mockHub(async () => {
      await held;
      return new Response(null, { status: 204 });
    });
    await withPublisherEnv({ HUB_URL: HUB }, async () => {
      await publish(syntheticItem(1));
      // The alarm is due now (pings queued): Miniflare fires it; if it has not, we do (not awaited: it hangs).
      for (let i = 0; i < 40 && !calls.length; i++) await sleep(50);
      const alarm = calls.length ? Promise.resolve(true) : runDurableObjectAlarm(publisherStub());
      for (let i = 0; i < 40 && !calls.length; i++) await sleep(50);
      expect(calls.length).toBeGreaterThan(0);
      const res = await api('PUT', '/items/item-2', syntheticItem(2));
      expect(res.status, 'a publish while the hub hangs').toBe(201);
      // Answered while the pings still hang: none of them has an outcome booked yet.
      expect((await status()).hub.pings, 'the hung pings, when the publish answered').toEqual([]);
      expect(await feedSlugs()).toEqual(['item-2', 'item-1']);
      expect(await feedSlugs('/authors/even-writer/feed.json')).toEqual(['item-2']);
      release();
      await alarm;
      await settleWriter();
    });
    const topics = calls.map((c) => new URLSearchParams(c.body).get('hub.url'));
    // Both publishes' main feeds were announced in the end.
    expect(topics.filter((u) => u === `${ORIGIN}/feed.json`).length).toBeGreaterThanOrEqual(2);
  });
});
