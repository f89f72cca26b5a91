// WebSub on publish (outbound fetch mocked), and what readers and the newsroom get when KV fails.
import { createExecutionContext, env, runDurableObjectAlarm, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { app } from '../../src/app';
import {
  api,
  get,
  HUB,
  kvWith,
  mockHub,
  ORIGIN,
  owedRetryAt,
  parseXml,
  publish,
  publisherStub,
  refuse,
  retryOwedNow,
  settleWriter,
  sleep,
  syntheticItem,
  withPublisherEnv,
} from '../helpers';

/** Publishes with the hub set where it matters (the writer announces, and the feeds name it) and lets the alarm ping. */
async function publishWithHub(item: Record<string, unknown>) {
  let res: Response | undefined;
  await withPublisherEnv({ HUB_URL: HUB }, async () => {
    res = await api('PUT', `/items/${String(item.slug)}`, item);
    await settleWriter();
  });
  return res as Response;
}

afterEach(() => vi.restoreAllMocks());

describe('WebSub', () => {
  it('announces the hub in every format and in Link headers, and pings it for each changed feed', async () => {
    const calls = mockHub(async () => new Response(null, { status: 204 }));
    const res = await publishWithHub(syntheticItem(1));
    expect(res.status).toBe(201);
    const topics = calls.map((c) => new URLSearchParams(c.body)).map((p) => [p.get('hub.mode'), p.get('hub.url')]);
    expect(topics.every(([mode]) => mode === 'publish')).toBe(true);
    expect(topics.map(([, url]) => url).sort()).toEqual(
      ['', '/articles', '/tags/common', '/authors/odd-writer']
        .flatMap((s) => ['xml', 'atom', 'json'].map((f) => `${ORIGIN}${s}/feed.${f}`))
        .sort(),
    );
    const rss = parseXml(await (await get('/feed.xml')).text()).rss.channel['atom:link'];
    expect(rss.find((l: any) => l['@rel'] === 'hub')['@href']).toBe(HUB);
    const atom = parseXml(await (await get('/feed.atom')).text()).feed.link;
    expect(atom.find((l: any) => l['@rel'] === 'hub')['@href']).toBe(HUB);
    expect((await (await get('/feed.json')).json<any>()).hubs).toEqual([{ type: 'WebSub', url: HUB }]);
    const ctx = createExecutionContext();
    const head = await app.fetch(new Request(`${ORIGIN}/feed.atom`), { ...env, HUB_URL: HUB }, ctx);
    expect(head.headers.get('Link')).toBe(`<${HUB}>; rel="hub", <${ORIGIN}/feed.atom>; rel="self"`);
  });

  it('a failing hub never blocks or undoes a publish, and the status shows how each ping went', async () => {
    const calls = mockHub(async () => {
      throw new Error('hub down');
    });
    const res = await publishWithHub(syntheticItem(2));
    expect(res.status).toBe(201);
    expect(calls.length).toBeGreaterThan(0);
    expect((await (await get('/feed.json')).json<any>()).items).toHaveLength(1);
    const status = await (await api('GET', '/status')).json<any>();
    expect(status.hub.pings.length).toBeGreaterThan(0);
    expect(status.hub.pings[0]).toMatchObject({ ok: false, detail: 'hub down' });
  });

  it('no hub configured: no pings, no hub links', async () => {
    const calls = mockHub(async () => new Response(null));
    await publish(syntheticItem(3));
    await settleWriter();
    expect(calls).toEqual([]);
    expect(await (await get('/feed.xml')).text()).not.toContain('rel="hub"');
  });
});

describe('KV failures on read', () => {
  const failingKv = kvWith(env.FEEDS, { getWithMetadata: refuse('KV unavailable'), get: refuse('KV unavailable') });

  async function fetchWith(kv: KVNamespace, warm: string, path = '/feed.xml') {
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request(`${ORIGIN}${path}`), { ...env, FEEDS: kv, WARM_TTL: warm }, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  }

  it('answers 503 with Retry-After and problem+json when nothing is warm', async () => {
    await publish(syntheticItem(4));
    const res = await fetchWith(failingKv, '0', '/tags/third/feed.atom');
    expect(res.status).toBe(503);
    expect(res.headers.get('Retry-After')).toMatch(/^\d+$/);
    expect(res.headers.get('Content-Type')).toBe('application/problem+json; charset=utf-8');
  });

  it('serves the stale warm copy, unchanged, when KV fails after it expired', async () => {
    await publish(syntheticItem(5));
    const fresh = await fetchWith(env.FEEDS, '0.001', '/authors/odd-writer/feed.xml');
    const body = await fresh.text();
    await sleep(5);
    const stale = await fetchWith(failingKv, '0.001', '/authors/odd-writer/feed.xml');
    expect(stale.status).toBe(200);
    expect(await stale.text()).toBe(body);
    expect(stale.headers.get('ETag')).toBe(fresh.headers.get('ETag'));
  });
});

describe('KV failures on write', () => {
  it('answer 202 with what is owed: the change is committed and the writer finishes it, with back-off', async () => {
    const failingPuts = kvWith(env.FEEDS, { put: refuse('KV write refused') });
    await withPublisherEnv({ FEEDS: failingPuts }, async () => {
      const res = await api('PUT', '/items/item-6', syntheticItem(6));
      expect(res.status).toBe(202);
      const body = await res.json<any>();
      expect(body).toMatchObject({ created: true, changed: true, kvWrites: 0 });
      expect(body.pending).toBeGreaterThan(0);
      const status = await (await api('GET', '/status')).json<any>();
      expect(status.jobs.pending).toBe(body.pending);
      expect(status.items.published).toBe(1);
    });
    expect((await get('/feed.json')).status).toBe(404);
    // The first retry waits 5 s (then 10, 20…), so a KV outage is not hammered by the alarm; the test skips the wait.
    expect(await owedRetryAt(), 'the retry is booked for later').toBeGreaterThan(Date.now());
    await retryOwedNow();
    await runDurableObjectAlarm(publisherStub());
    const feed = await (await get('/feed.json')).json<any>();
    expect(feed.items.map((i: any) => i.id)).toEqual(['tag:127.0.0.1,2021-01-01:item-6']);
  });
});
