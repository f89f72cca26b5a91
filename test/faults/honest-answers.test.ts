// Issue 8 §6: write answers say what happened (202 owed, 503 nothing stored); slow KV reads are bounded when a stale copy is warm.
import { createExecutionContext, env, runDurableObjectAlarm, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { app } from '../../src/app';
import {
  api,
  gate,
  get,
  kvWith,
  ORIGIN,
  owedRetryAt,
  publish,
  publisherStub,
  refuse,
  retryOwedNow,
  sleep,
  syntheticItem,
  TOKEN,
  withPublisherEnv,
} from '../helpers';

/** Real KV whose writes and deletes are refused (reads go through). */
const refusingWrites = kvWith(env.FEEDS, { put: refuse('KV write refused'), delete: refuse('KV write refused') });

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
    // The first retry waits 5 s (then longer), so an outage is not hammered; the test skips the wait.
    expect(await owedRetryAt(), 'the retry is booked for later').toBeGreaterThan(Date.now());
    await retryOwedNow();
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
  // The store's waits on KV as vitest.config.ts injects them (shorter than production's 250 ms and 5 s).
  const staleWaitMs = Number(env.KV_STALE_WAIT_MS);
  const readTimeoutMs = Number(env.KV_READ_TIMEOUT_MS);

  /** Real KV whose reads answer only once `held` resolves. */
  const heldReads = (held: Promise<void>) => {
    const later = async (real: (...a: unknown[]) => Promise<unknown>, ...args: unknown[]) => {
      await held;
      return real(...args);
    };
    return kvWith(env.FEEDS, { get: later, getWithMetadata: later });
  };

  /** Serves `path` with these bindings; `answered()` says whether the response has arrived yet. */
  function serve(path: string, bindings: Partial<Env>) {
    const ctx = createExecutionContext();
    let arrived = false;
    const res = Promise.resolve(app.fetch(new Request(`${ORIGIN}${path}`), { ...env, ...bindings }, ctx)).then(async (r) => {
      const body = await r.text();
      arrived = true;
      return { res: r, body };
    });
    return { answer: res, answered: () => arrived, done: () => waitOnExecutionContext(ctx) };
  }

  it('with a stale copy warm, a read KV has not answered is answered with the stale bytes', async () => {
    await publish(syntheticItem(1, { tags: ['slow-warm'] }));
    const path = '/tags/slow-warm/feed.xml';
    const warm = serve(path, { WARM_TTL: '0.001' });
    const fresh = await warm.answer;
    await warm.done();
    expect(fresh.res.status).toBe(200);
    await sleep(5);
    const kv = gate();
    const stale = serve(path, { FEEDS: heldReads(kv.held), WARM_TTL: '0.001' });
    const got = await stale.answer;
    // KV is still held: the answer did not wait for it.
    expect(got.res.status).toBe(200);
    expect(got.body).toBe(fresh.body);
    expect(got.res.headers.get('ETag')).toBe(fresh.res.headers.get('ETag'));
    kv.release();
    await stale.done();
  });

  it('without a warm copy, the read waits for KV (within its bound) and answers with the document', async () => {
    await publish(syntheticItem(2, { tags: ['slow-cold'] }));
    const kv = gate();
    const cold = serve('/tags/slow-cold/feed.json', { FEEDS: heldReads(kv.held), WARM_TTL: '0' });
    // Past the wait a stale copy would get, inside the bound: the answer is still waiting on KV.
    expect(staleWaitMs * 2).toBeLessThan(readTimeoutMs / 2);
    await sleep(staleWaitMs * 2);
    expect(cold.answered(), 'answered before KV did').toBe(false);
    kv.release();
    const { res, body } = await cold.answer;
    await cold.done();
    expect(res.status).toBe(200);
    expect(JSON.parse(body).items).toHaveLength(1);
  });

  it('without a warm copy, a read KV does not answer within its bound is answered 503 with Retry-After', async () => {
    await publish(syntheticItem(3, { tags: ['slow-never'] }));
    const kv = gate();
    const cold = serve('/tags/slow-never/feed.json', { FEEDS: heldReads(kv.held), WARM_TTL: '0' });
    const { res } = await cold.answer;
    expect(res.status).toBe(503);
    expect(res.headers.get('Retry-After')).toMatch(/^\d+$/);
    kv.release();
    await cold.done();
  });
});
