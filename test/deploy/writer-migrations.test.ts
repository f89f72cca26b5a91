// Issue 15 §2: a Durable Object written before schemas were versioned (a fixture dumped from the code
// at 1420203) migrates forward with nothing lost, and the writer carries on from it.
import { SELF, abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { canonical } from '../../src/model/hash';
import { RENDER_VERSION } from '../../src/render/version';
import { migrate, SCHEMA_0_SQL, SCHEMA_VERSION, schemaVersion } from '../../src/publish/db-schema';
import { PUBLISH, type Job } from '../../src/publish/jobs';
import { rebuildRank } from '../../src/publish/render-jobs';
import { openStores } from '../../src/publish/stores';
import fixture from '../fixtures/writer-schema-0.json';
import { api, get, ORIGIN, publish, publisherStub, sleep, syntheticItem } from '../helpers';

type Row = Record<string, string | number | null> & { _rowid: number };
const tables = fixture.tables as unknown as Record<string, Row[]>;
const REBUILD_KEYS = ['rebuildTotal', 'rebuildStarted', 'rebuildForce', 'rebuildTarget', 'rebuildReason'];
const setting = (k: string) => tables.settings!.find((r) => r.key === k)?.value ?? null;
const strip = ({ _rowid: _r, ...rest }: Row) => rest;
const oneLine = (sql: string) => sql.replace(/\s+/g, ' ').trim();

/** Lays the storage out as the writer left it before versions: today's tables (migration 1), the fixture's rows, no version. */
function loadFixture(state: DurableObjectState): void {
  const sql = state.storage.sql;
  const ours = sql
    .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'sqlite_%'")
    .toArray();
  for (const { name } of ours) sql.exec(`DROP TABLE ${name}`);
  sql.exec(SCHEMA_0_SQL);
  for (const [table, rows] of Object.entries(tables)) {
    for (const row of rows) {
      // pings.n is its rowid already.
      const cols = table === 'pings' ? Object.keys(strip(row)) : ['rowid', ...Object.keys(strip(row))];
      const values = cols.map((c) => (c === 'rowid' ? row._rowid : row[c]));
      sql.exec(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`, ...values);
    }
  }
}

const rowsOf = (state: DurableObjectState, table: string) =>
  state.storage.sql.exec(`SELECT rowid AS _rowid, * FROM ${table} ORDER BY rowid`).toArray() as Row[];

describe('the writer schema', () => {
  it('migration 1 is exactly the tables the writer made before versions', async () => {
    const schema = await runInDurableObject(publisherStub(), (_i, state) => {
      loadFixture(state);
      return state.storage.sql
        .exec<{ type: string; name: string; sql: string }>(
          "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE '_cf_%' AND name NOT LIKE 'sqlite_%' ORDER BY rowid",
        )
        .toArray();
    });
    expect(schema.map((s) => ({ ...s, sql: oneLine(s.sql) }))).toEqual(fixture.schema.map((s) => ({ ...s, sql: oneLine(s.sql) })));
  });

  it('migrates a Durable Object written before versions with nothing lost', async () => {
    const out = await runInDurableObject(publisherStub(), (_i, state) => {
      loadFixture(state);
      const before = schemaVersion(state.storage.sql);
      const steps = migrate(state.storage);
      const again = migrate(state.storage);
      const stores = openStores(state.storage.sql);
      const same = Object.fromEntries(
        ['items', 'aliases', 'names', 'members', 'scopes', 'docs', 'purges', 'hubq', 'pings'].map((t) => [t, rowsOf(state, t)]),
      );
      return {
        before,
        steps,
        again,
        same,
        settings: rowsOf(state, 'settings'),
        queue: state.storage.sql.exec('SELECT key, job, priority, attempts, not_before FROM queue ORDER BY priority, rowid').toArray(),
        failed: state.storage.sql.exec('SELECT key, job, error, at FROM failed ORDER BY rowid').toArray(),
        rebuild: stores.books.rebuild(),
        counts: { pending: stores.queue.pending(), left: stores.queue.rebuildLeft(), failed: stores.queue.failedCount() },
        tables: state.storage.sql
          .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('jobs', 'backlog')")
          .toArray(),
      };
    });
    expect(out.before).toBe(0);
    expect(out.steps).toEqual({ from: 0, to: SCHEMA_VERSION });
    expect(out.again).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION });
    // Tables no migration reshapes hold every row as it was, rowids (and so their order) included.
    for (const [table, rows] of Object.entries(out.same)) expect(rows, table).toEqual(tables[table]);
    expect(out.same.items!.length).toBe(6);
    expect(out.same.aliases!.map((a) => [a.slug, a.status])).toEqual([
      ['item-3', 'moved'],
      ['item-4', 'gone'],
    ]);
    // Settings are kept, but for the rebuild's five keys, which are now one record.
    expect(out.settings).toEqual(tables.settings!.filter((r) => !REBUILD_KEYS.includes(String(r.key))));
    expect(out.rebuild).toEqual({
      total: Number(setting('rebuildTotal')),
      startedAt: Number(setting('rebuildStarted')),
      force: setting('rebuildForce') === '1',
      target: Number(setting('rebuildTarget')),
      reason: setting('rebuildReason'),
    });
    expect(out.rebuild).toMatchObject({ total: 20, force: true, reason: 'requested' });
    // One queue: the publish jobs first, in their order, with their back-off; then every backlog job
    // not also owed as publish work, in the order a rebuild needs them. Keys are canonical.
    const jobs = tables.jobs!.map((r) => ({
      key: canonical(JSON.parse(String(r.job))),
      priority: PUBLISH,
      attempts: r.attempts,
      not_before: r.not_before,
    }));
    const owed = new Set(jobs.map((j) => j.key));
    const backlog = tables
      .backlog!.map((r) => JSON.parse(String(r.job)) as Job)
      .filter((j) => !owed.has(canonical(j)))
      .map((j, i) => ({ j, i }))
      .sort((a, b) => rebuildRank(a.j) - rebuildRank(b.j) || a.i - b.i)
      .map(({ j }) => ({ key: canonical(j), priority: rebuildRank(j), attempts: 0, not_before: 0 }));
    expect(out.queue.map(({ job: _j, ...rest }) => rest)).toEqual([...jobs, ...backlog]);
    for (const q of out.queue) expect(q.job).toBe(q.key);
    // Every job either list owed is still owed.
    const all = new Set([...tables.jobs!, ...tables.backlog!].map((r) => canonical(JSON.parse(String(r.job)))));
    expect(new Set(out.queue.map((q) => q.key))).toEqual(all);
    expect(out.counts).toEqual({ pending: 5, left: 14, failed: 1 });
    expect(out.queue.slice(5, 8).map((q) => JSON.parse(String(q.job)).page)).toEqual([0, 0, 0]);
    expect(JSON.parse(String(out.queue.at(-1)?.job)).t).toBe('slug');
    expect(out.failed).toEqual(
      tables.failed!.map((f) => ({
        key: canonical(JSON.parse(String(f.job))),
        job: canonical(JSON.parse(String(f.job))),
        error: f.error,
        at: f.at,
      })),
    );
    expect(out.tables).toEqual([]);
  });

  it('refuses storage a newer writer has migrated further', async () => {
    const err = await runInDurableObject(publisherStub(), (_i, state) => {
      state.storage.sql.exec('UPDATE schema_version SET version = ?', SCHEMA_VERSION + 1);
      try {
        migrate(state.storage);
        return null;
      } catch (e) {
        return String(e);
      }
    });
    expect(err).toContain(`schema ${SCHEMA_VERSION + 1}`);
  });

  it('the writer opens the old storage, publishes on it and finishes its rebuild', async () => {
    await runInDurableObject(publisherStub(), async (_i, state) => {
      loadFixture(state);
      await state.storage.deleteAlarm();
    });
    // A deploy: the next call meets a new instance, which migrates before anything else runs.
    await abortAllDurableObjects();
    const status = await (await api('GET', '/status')).json<any>();
    expect(await runInDurableObject(publisherStub(), (_i, state) => schemaVersion(state.storage.sql))).toBe(SCHEMA_VERSION);
    expect(status.items).toEqual({ published: 5, scheduled: 1 });
    expect(status.scheduled.map((s: any) => s.slug)).toEqual(['item-5']);
    expect(status.failed.map((f: any) => f.job)).toEqual([{ t: 'slug', slug: 'item-2' }]);
    const current = Number(setting('rv')) === RENDER_VERSION;
    if (current) {
      expect(status.jobs).toEqual({ pending: 5, backlog: 14, failed: 1 });
      expect(status.render.rebuild).toMatchObject({ total: 20, done: 6, reason: 'requested' });
    } else {
      // A renderer newer than the fixture's: opening it folds a new-version rebuild into the old one.
      expect(status.jobs).toMatchObject({ pending: 5, failed: 1 });
      expect(status.jobs.backlog).toBeGreaterThanOrEqual(14);
      expect(status.render.rebuild).toMatchObject({ reason: 'new render version' });
    }
    expect(status.hub.queued).toBe(2);
    expect(status.hub.pings).toHaveLength(10);
    expect(status.edgeCache.queued).toBeGreaterThan(0);
    const renamed = await (await api('GET', '/items/item-3-renamed')).json<any>();
    expect(renamed.meta.id).toBe('tag:127.0.0.1,2021-01-01:item-3');
    expect((await api('GET', '/items/item-4')).status).toBe(404);
    // A publish on it: by a known author, under a new tag (so every held job is owed again now).
    const put = await publish(syntheticItem(9, { tags: ['Fresh'] }));
    expect(put).toMatchObject({ created: true, changed: true, failed: 0 });
    expect((await get('/articles/item-9')).status).toBe(200);
    // The alarm finishes the rebuild the old writer had started.
    for (let i = 0; i < 40; i++) {
      const s = await (await api('GET', '/status')).json<any>();
      if (!s.jobs.pending && !s.jobs.backlog && !s.render.rebuild) break;
      if (!(await runDurableObjectAlarm(publisherStub()))) await sleep(50);
    }
    const done = await (await api('GET', '/status')).json<any>();
    // The job the old writer set aside stays set aside (and shown) until the item is edited, or a
    // newer renderer's rebuild renders it again.
    expect(done.jobs).toEqual({ pending: 0, backlog: 0, failed: current ? 1 : 0 });
    expect(done.render).toEqual({ version: RENDER_VERSION, stored: RENDER_VERSION, rebuild: null });
    const feed = await (await get('/feed.json')).json<any>();
    expect(feed.title).toBe('Fixture Desk II');
    expect(feed.items.map((i: any) => i.url.split('/').pop())).toEqual([
      'item-9',
      'item-7',
      'item-6',
      'item-3-renamed',
      'item-2',
      'item-1',
    ]);
    expect((await get('/articles/item-2')).status).toBe(current ? 404 : 200);
    await publish(syntheticItem(2, { title: 'Item 2, edited' }));
    expect((await get('/articles/item-2')).status).toBe(200);
    expect((await (await api('GET', '/status')).json<any>()).jobs.failed).toBe(0);
    const moved = await SELF.fetch(`${ORIGIN}/articles/item-3`, { redirect: 'manual' });
    expect(moved.status).toBe(301);
    expect(moved.headers.get('Location')).toBe(`${ORIGIN}/articles/item-3-renamed`);
    expect((await get('/articles/item-4')).status).toBe(410);
    expect((await get('/articles/item-5')).status).toBe(404);
    expect((await get('/tags/jose-2/feed.json')).status).toBe(200);
    expect((await get('/tags/fresh/feed.json')).status).toBe(200);
  });
});
