// Issue 16: the writer's side of partners. A publish writes only the documents of the partners whose
// scope it touches; a partner that cannot be rendered is set aside with its error while the others and
// the public feeds go on; the rebuild includes partners; migration 4 on storage from before versions.
import { abortAllDurableObjects, env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { SCHEMA_0_SQL, SCHEMA_VERSION, schemaVersion } from '../../src/publish/db-schema';
import { partnerFeedPath } from '../../src/partners/types';
import { partnerKey } from '../../src/store/kv-store';
import fixture from '../fixtures/writer-schema-0.json';
import { api, countPublisherKv, get, parseXml, publish, publisherStub, runAlarmsUntil, writerStatus } from '../helpers';
import { article, feedItems, linkOf, ninjsItem, partnerDoc, putPartner } from '../partners-helpers';

describe('partners in the writer', () => {
  it('a publish writes only the documents of the partners whose scope it touches, however many partners and items', async () => {
    for (let p = 0; p < 10; p++) {
      await putPartner(`p${p}`, { name: `Partner ${p}`, profile: p % 2 ? 'ninjs' : 'rss', scope: { sections: [`Desk ${p}`] } });
    }
    for (let n = 1; n <= 30; n++) await publish(article(n, { section: `Desk ${n % 10}` }));
    for (const desk of [3, 4]) {
      const { keys } = await countPublisherKv(() => publish(article(100 + desk, { section: `Desk ${desk}` })));
      const partnerPuts = (keys.put ?? []).filter((k) => k.startsWith('partner:')).sort();
      expect(partnerPuts).toEqual(
        desk % 2
          ? [`partner:/partners/p${desk}/items.json`, `partner:/partners/p${desk}/items/story-${100 + desk}.json`]
          : [`partner:/partners/p${desk}/feed.xml`],
      );
      expect((keys.delete ?? []).filter((k) => k.startsWith('partner:'))).toEqual([]);
    }
    expect((await feedItems('p4')).map(linkOf)[0]).toBe('http://127.0.0.1:8787/articles/story-104');
    expect((await ninjsItem('p3', 'story-103')).pubStatus).toBe('usable');
  });

  it('a partner that cannot be rendered is set aside with its error; the other partners and the public feeds go on', async () => {
    await putPartner('good', { name: 'Good', profile: 'rss' });
    await putPartner('bad', { name: 'Bad', profile: 'rss' });
    // Its stored row as a later schema might find it: a profile this code does not know.
    await runInDurableObject(publisherStub(), (_i, state) => {
      state.storage.sql.exec(`UPDATE partners SET input = '{"name":"Bad","profile":"aol"}' WHERE id = 'bad'`);
    });
    const put = await publish(article(1));
    expect(put.failed).toBe(1);
    const status = await writerStatus();
    expect(status.failed.map((f: any) => f.job)).toEqual([{ t: 'partner', id: 'bad' }]);
    expect(status.failed[0].error).toContain('partner "bad"');
    expect((await feedItems('good')).map(linkOf)).toEqual(['http://127.0.0.1:8787/articles/story-1']);
    expect(parseXml(await (await get('/feed.xml')).text()).rss.channel.item).toHaveLength(1);
    const listed = (await (await api('GET', '/partners')).json<any>()).partners;
    expect(listed.find((p: any) => p.id === 'bad').error).toContain('profile');
    // Putting it right renders it, and the failure goes.
    await putPartner('bad', { name: 'Bad', profile: 'rss' });
    expect((await feedItems('bad')).map(linkOf)).toEqual(['http://127.0.0.1:8787/articles/story-1']);
    expect((await writerStatus()).failed).toEqual([]);
  });

  it('a rebuild rewrites partner documents too', async () => {
    await putPartner('all', { name: 'All', profile: 'rss' });
    await putPartner('lic', { name: 'Licensee', profile: 'ninjs' });
    await publish(article(1));
    const feed = await partnerDoc(partnerFeedPath('all'));
    await env.FEEDS.delete(partnerKey(partnerFeedPath('all')));
    await env.FEEDS.delete(partnerKey('/partners/lic/items/story-1.json'));
    expect((await api('POST', '/rebuild')).status).toBe(202);
    await runAlarmsUntil();
    expect(await partnerDoc(partnerFeedPath('all'))).toBe(feed);
    expect((await ninjsItem('lic', 'story-1')).pubStatus).toBe('usable');
  });

  it('migration 4 on storage from before versions keeps every item; a partner added then gets them', async () => {
    const tables = fixture.tables as unknown as Record<string, Record<string, string | number | null>[]>;
    await runInDurableObject(publisherStub(), async (_i, state) => {
      const sql = state.storage.sql;
      const ours = sql
        .exec<{ name: string }>(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'sqlite_%'",
        )
        .toArray();
      for (const { name } of ours) sql.exec(`DROP TABLE ${name}`);
      sql.exec(SCHEMA_0_SQL);
      for (const [table, rows] of Object.entries(tables)) {
        for (const { _rowid, ...row } of rows) {
          const cols = table === 'pings' ? Object.keys(row) : ['rowid', ...Object.keys(row)];
          const values = cols.map((c) => (c === 'rowid' ? _rowid : row[c]));
          sql.exec(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`, ...(values as string[]));
        }
      }
      await state.storage.deleteAlarm();
    });
    await abortAllDurableObjects();
    expect((await writerStatus()).items).toEqual({ published: 5, scheduled: 1 });
    const after = await runInDurableObject(publisherStub(), (_i, state) => ({
      version: schemaVersion(state.storage.sql),
      items: state.storage.sql.exec('SELECT id, slug, record FROM items ORDER BY rowid').toArray(),
      partners: state.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM partners').one().n,
    }));
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(4);
    expect(after.version).toBe(SCHEMA_VERSION);
    expect(after.partners).toBe(0);
    expect(after.items.map((r) => [r.id, r.slug, r.record])).toEqual(tables.items!.map((r) => [r.id, r.slug, r.record]));
    await putPartner('all', { name: 'All', profile: 'rss' });
    const links = (await feedItems('all')).map(linkOf);
    expect(links).toContain('http://127.0.0.1:8787/articles/item-1');
    expect(links).not.toContain('http://127.0.0.1:8787/articles/item-5');
  });
});
