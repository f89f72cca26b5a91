// Issue 8 §6: write answers say what happened (202 owed, 503 nothing stored); slow KV reads are bounded when a stale copy is warm.
import { createExecutionContext, env, runDurableObjectAlarm, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { app } from '../src/app';
import { api, get, ORIGIN, publish, publisherStub, syntheticItem, TOKEN, withPublisherEnv } from './helpers';

/** Real KV whose writes and deletes are refused (reads go through). */
const refusingWrites = new Proxy(env.FEEDS, {
  get(target, prop) {
    if (prop === 'put' || prop === 'delete') return () => Promise.reject(new Error('KV write refused'));
    return Reflect.get(target, prop);
  },
});

describe('KV writes failing after the index committed', () => {
  it('publish, withdraw and site settings answer 202 with what is pending; the alarm finishes them', async () => {
    await publish(syntheticItem(1));
    let site: { status: number; pending: number } | undefined;
    await withPublisherEnv({ FEEDS: refusingWrites }, async () => {
      const put = await api('PUT', '/items/item-2', syntheticItem(2));
      expect(put.status).toBe(202);
      const body = await put.json<any>();
      expect(body).toMatchObject({ created: true, changed: true, kvWrites: 0, failed: 0 });
      expect(body.pending).toBeGreaterThan(0);
      const del = await api('DELETE', '/items/item-1');
      expect(del.status).toBe(202);
      expect((await del.json<any>()).pending).toBeGreaterThan(0);
      // Committed: the newsroom sees the change at once, and a repeat changes nothing more.
      expect((await api('GET', '/items/item-2')).status).toBe(200);
      expect((await api('GET', '/items/item-1')).status).toBe(404);
      const status = await (await api('GET', '/status')).json<any>();
      expect(status.jobs.pending).toBeGreaterThan(0);
      expect(status.jobs.failed).toBe(0);
      // New site settings are committed too; every document is owed again.
      const res = await api('PUT', '/site', { title: 'Renamed Desk', description: 'D', language: 'en', author: 'A' });
      site = { status: res.status, pending: (await res.json<any>()).pending };
    });
    // Readers still get the last good documents meanwhile.
    expect((await (await get('/feed.json')).json<any>()).items.map((i: any) => i.id)).toEqual(['tag:127.0.0.1,2021-01-01:item-1']);
    // The first retry waits 5 s (then longer), so an outage is not hammered.
    await new Promise((r) => setTimeout(r, 5_200));
    await runDurableObjectAlarm(publisherStub());
    const feed = await (await get('/feed.json')).json<any>();
    expect(feed.items.map((i: any) => i.id)).toEqual(['tag:127.0.0.1,2021-01-01:item-2']);
    expect(feed.title).toBe('Renamed Desk');
    expect((await get('/articles/item-1')).status).toBe(410);
    expect((await get('/articles/item-2')).status).toBe(200);
    expect((await (await api('GET', '/status')).json<any>()).jobs.pending).toBe(0);
    expect(site, 'PUT /api/site while KV refuses writes').toEqual({ status: 202, pending: expect.any(Number) });
    expect(site!.pending).toBeGreaterThan(0);
  });
});

describe('the writer unreachable', () => {
  it('answers 503 with Retry-After and says nothing was stored', async () => {
    const reject = () => Promise.reject(new Error('Durable Object reset because its code was updated.'));
    const unreachable = new Proxy({}, { get: (_t, prop) => (prop === 'then' ? undefined : reject) });
    const namespace = { idFromName: () => env.PUBLISHER.idFromName('main'), get: () => unreachable };
    const brokenEnv = { ...env, PUBLISHER: namespace as unknown as DurableObjectNamespace };
    const call = async (method: string, path: string, body?: unknown) => {
      const ctx = createExecutionContext();
      const res = await app.fetch(
        new Request(`${ORIGIN}/api${path}`, {
          method,
          headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        }),
        brokenEnv,
        ctx,
      );
      await waitOnExecutionContext(ctx);
      return res;
    };
    const site = { title: 'T', description: 'D', language: 'en', author: 'A' };
    for (const [method, path, body] of [
      ['PUT', '/items/item-1', syntheticItem(1)],
      ['DELETE', '/items/item-1', undefined],
      ['POST', '/import', { items: [syntheticItem(1)] }],
      ['PUT', '/site', site],
    ] as const) {
      const res = await call(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(503);
      expect(res.headers.get('Retry-After'), `${method} ${path}`).toMatch(/^\d+$/);
      const problem = await res.json<any>();
      expect(problem.detail, `${method} ${path}`).toMatch(/nothing was stored/i);
      expect(problem.detail).not.toMatch(/retried automatically/i);
    }
    expect((await api('GET', '/items/item-1')).status).toBe(404);
    expect((await get('/feed.json')).status).toBe(404);
  });
});

describe('slow KV reads', () => {
  /** Real KV whose reads answer only after `ms`. */
  const slow = (ms: number) =>
    new Proxy(env.FEEDS, {
      get(target, prop) {
        if (prop === 'getWithMetadata' || prop === 'get') {
          return (...args: unknown[]) =>
            new Promise((resolve, reject) =>
              setTimeout(
                () => (Reflect.get(target, prop) as (...a: unknown[]) => Promise<unknown>).apply(target, args).then(resolve, reject),
                ms,
              ),
            );
        }
        return Reflect.get(target, prop);
      },
    });

  async function timedFetch(path: string, bindings: Partial<Env>) {
    const ctx = createExecutionContext();
    const started = Date.now();
    const res = await app.fetch(new Request(`${ORIGIN}${path}`), { ...env, ...bindings }, ctx);
    const body = await res.text();
    const ms = Date.now() - started;
    await waitOnExecutionContext(ctx);
    return { res, body, ms };
  }

  it('with a stale copy warm, a 3 s read answers within about half a second, with the stale bytes', async () => {
    await publish(syntheticItem(1, { tags: ['slow-warm'] }));
    const path = '/tags/slow-warm/feed.xml';
    const warm = await timedFetch(path, { WARM_TTL: '0.001' });
    expect(warm.res.status).toBe(200);
    await new Promise((r) => setTimeout(r, 10));
    const stale = await timedFetch(path, { FEEDS: slow(3_000), WARM_TTL: '0.001' });
    expect(stale.res.status).toBe(200);
    expect(stale.ms, 'answer time').toBeLessThan(1_000);
    expect(stale.body).toBe(warm.body);
    expect(stale.res.headers.get('ETag')).toBe(warm.res.headers.get('ETag'));
  });

  it('without a warm copy, the read waits for KV (within its 5 s bound) and answers with the document', async () => {
    await publish(syntheticItem(2, { tags: ['slow-cold'] }));
    const path = '/tags/slow-cold/feed.json';
    const cold = await timedFetch(path, { FEEDS: slow(3_000), WARM_TTL: '0' });
    expect(cold.res.status).toBe(200);
    expect(cold.ms).toBeGreaterThanOrEqual(2_900);
    expect(cold.ms).toBeLessThan(5_000);
    expect(JSON.parse(cold.body).items).toHaveLength(1);
  });
});
