// Issue 15 §3: once putSite, rebuild or the cron's tick has committed, a failure while writing never
// makes the answer say nothing was stored; the alarm finishes the work.
import {
  createExecutionContext,
  createScheduledController,
  env,
  runDurableObjectAlarm,
  runInDurableObject,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import Wirefeed from '../../src/index';
import { api, get, publish, publisherStub, sleep, syntheticItem } from '../helpers';

// The writer's own storage refusing its books (as a full disk would) once KV has taken a document:
// a failure after the commit that no KV error can cause, since refused KV writes are booked as owed.
const refuseBooks = () =>
  runInDurableObject(
    publisherStub(),
    (_i, state) =>
      void state.storage.sql.exec("CREATE TRIGGER refuse_books BEFORE INSERT ON docs BEGIN SELECT RAISE(ABORT, 'storage is full'); END"),
  );
const acceptBooks = () => runInDurableObject(publisherStub(), (_i, state) => void state.storage.sql.exec('DROP TRIGGER refuse_books'));

const status = async () => (await api('GET', '/status')).json<any>();

/** Runs the alarm until nothing is owed. */
async function drain(): Promise<any> {
  for (let i = 0; i < 40; i++) {
    const s = await status();
    if (!s.jobs.backlog && !s.jobs.pending && !s.render.rebuild) return s;
    if (!(await runDurableObjectAlarm(publisherStub()))) await sleep(50);
  }
  throw new Error('the writer still owes work after 40 alarms');
}

describe('a failure after the commit', () => {
  it('PUT /api/site answers 202 with what is pending, not 503; the alarm finishes it', async () => {
    await publish(syntheticItem(1));
    await refuseBooks();
    const site = { title: 'Committed Desk', description: 'D', language: 'en', author: 'A' };
    const res = await api('PUT', '/site', site);
    expect(res.status).toBe(202);
    const body = await res.json<any>();
    expect(body.changed).toBe(true);
    expect(body.pending).toBeGreaterThan(0);
    expect(body.rebuild).not.toBeNull();
    // It was stored: the newsroom reads the new settings back, and the alarm is set to finish.
    expect((await (await api('GET', '/site')).json<any>()).site).toMatchObject(site);
    expect(await runInDurableObject(publisherStub(), (_i, state) => state.storage.getAlarm())).not.toBeNull();
    await acceptBooks();
    expect((await drain()).jobs).toEqual({ pending: 0, backlog: 0, failed: 0 });
    expect((await (await get('/feed.json')).json<any>()).title).toBe('Committed Desk');
  });

  it('POST /api/rebuild answers 202 with the rebuild under way, not 503; the alarm finishes it', async () => {
    await publish(syntheticItem(1));
    await refuseBooks();
    const res = await api('POST', '/rebuild');
    expect(res.status).toBe(202);
    const body = await res.json<any>();
    expect(body.render.rebuild).toMatchObject({ reason: 'requested' });
    expect(body.jobs.backlog + body.jobs.pending).toBeGreaterThan(0);
    await acceptBooks();
    const done = await drain();
    expect(done.render.rebuild).toBeNull();
    expect(done.jobs.failed).toBe(0);
  });

  it("the cron's tick does not fail once it has released a story; the alarm finishes what it owed", async () => {
    const at = Date.now() + 1000;
    await publish(syntheticItem(1, { published: new Date(at).toISOString().replace('Z', '+00:00') }));
    // Lose the alarm: only the cron is left to release the story.
    await runInDurableObject(publisherStub(), (_i, state) => state.storage.deleteAlarm());
    await refuseBooks();
    await sleep(at - Date.now() + 150);
    // The tick releases the story (committed), then cannot book its writes.
    const ctx = createExecutionContext();
    await expect(new Wirefeed(ctx, env).scheduled(createScheduledController())).resolves.toBeUndefined();
    await waitOnExecutionContext(ctx);
    const s = await status();
    expect(s.items).toEqual({ published: 1, scheduled: 0 });
    expect(s.jobs.pending).toBeGreaterThan(0);
    expect(await runInDurableObject(publisherStub(), (_i, state) => state.storage.getAlarm())).not.toBeNull();
    await acceptBooks();
    expect((await drain()).jobs).toEqual({ pending: 0, backlog: 0, failed: 0 });
    expect((await get('/articles/item-1')).status).toBe(200);
  });
});
