// Deploys the writer must notice: new deployment settings (URL, hub, page size) and a new render version mid-rebuild.
import {
  abortAllDurableObjects,
  createExecutionContext,
  createScheduledController,
  env,
  runInDurableObject,
  waitOnExecutionContext,
} from 'cloudflare:test';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import Wirefeed from '../../src/index';
import { openStores } from '../../src/publish/stores';
import { rebuildRank } from '../../src/publish/render-jobs';
import type { Job } from '../../src/publish/jobs';
import { RENDER_VERSION } from '../../src/render/version';
import {
  api,
  countPublisherKv,
  get,
  HUB,
  mockHub,
  ORIGIN,
  parseXml,
  publisherStub,
  runAlarmsUntil,
  syntheticItem,
  walkArchives,
  withPublisherEnv,
} from '../helpers';

const status = async () => (await api('GET', '/status')).json<any>();

// 200 articles (an import's most): more rebuild jobs than one batch, so a rebuild is seen under way.
const CORPUS = Array.from({ length: 200 }, (_, n) => syntheticItem(n + 1));
// Members per scope in CORPUS (odd/even authors; every third item tagged 'third').
const SCOPES: [string, number][] = [
  ['', 200],
  ['/articles', 200],
  ['/authors/odd-writer', 100],
  ['/authors/even-writer', 100],
  ['/tags/common', 134],
  ['/tags/third', 66],
];

/** The Cron Trigger, as the runtime calls it. */
async function cron(): Promise<void> {
  const ctx = createExecutionContext();
  await new Wirefeed(ctx, env).scheduled(createScheduledController());
  await waitOnExecutionContext(ctx);
}

/** Runs the writer's alarm until nothing is owed: no backlog, no jobs, no rebuild, no hub pings. */
const drain = () => runAlarmsUntil();

/**
 * Walks a scope's RSS from its subscription feed down the RFC 5005 prev-archive links: the slugs
 * of each page, newest page first. Every link must name `site`; the walk is served at ORIGIN.
 */
async function walk(scope: string, site: string): Promise<string[][]> {
  const pages = await walkArchives(`${site}${scope}/feed.xml`, async (href) => {
    expect(href.startsWith(`${site}/`), href).toBe(true);
    const path = href.slice(site.length);
    const res = await get(path);
    expect(res.status, path).toBe(200);
    const channel = parseXml(await res.text()).rss.channel;
    const links: any[] = channel['atom:link'];
    expect(links.find((l) => l['@rel'] === 'self')['@href']).toBe(href);
    const slugs: string[] = (channel.item ?? []).map((i: any) => String(i.link).slice(`${site}/articles/`.length));
    return { slugs, prev: (links.find((l) => l['@rel'] === 'prev-archive')?.['@href'] as string | undefined) ?? null };
  });
  return pages.map((p) => p.slugs);
}

afterEach(() => vi.restoreAllMocks());

describe('deployment settings', () => {
  it('an unchanged deployment (page size spelled otherwise included) starts nothing', async () => {
    expect((await api('POST', '/import', { items: CORPUS.slice(0, 20) })).status).toBe(200);
    await cron();
    const { counts, keys } = await countPublisherKv(() => withPublisherEnv({ PAGE_SIZE: '050' }, cron));
    const s = await status();
    expect(s.render.rebuild).toBeNull();
    expect(s.jobs.backlog).toBe(0);
    expect(counts.delete ?? 0).toBe(0);
    // Not even the news sitemap: the first cron refreshed it, and it is refreshed hourly.
    expect(keys.put ?? []).toEqual([]);
  });

  it('a new URL, hub or page size rebuilds every document, archives recounted in the new size', async () => {
    const hubCalls = mockHub(async () => new Response(null, { status: 204 }));
    expect((await api('POST', '/import', { items: CORPUS })).status).toBe(200);
    await drain();
    const deploy = fc.record({
      url: fc.constantFrom(ORIGIN, 'https://news.example'),
      hub: fc.constantFrom('', HUB),
      size: fc.integer({ min: 4, max: 80 }),
    });
    let before = { url: ORIGIN, hub: '', size: 50 };
    await fc.assert(
      fc.asyncProperty(deploy, async (d) => {
        const same = d.url === before.url && d.hub === before.hub && d.size === before.size;
        const pinged = hubCalls.length;
        await withPublisherEnv({ SITE_URL: d.url, HUB_URL: d.hub, PAGE_SIZE: String(d.size) }, async () => {
          await cron();
          const was = before;
          before = d;
          const s = await status();
          if (same) expect(s.render.rebuild).toBeNull();
          // The writer's own alarm may have finished the rebuild before /status is read (it runs by itself,
          // sooner on a loaded machine); the documents checked below, every one naming the new settings,
          // show it ran. When it is still under way, it says why.
          else if (s.render.rebuild !== null) expect(s.render.rebuild.reason).toBe('deployment settings changed');
          else expect(s.render.stored).toBe(s.render.version);
          await drain();
          // Subscription feeds whose bytes changed are announced, under the new URL, to the hub if one
          // is set: every one when the URL or hub changed (every feed names them), some when only the size did.
          const topics = hubCalls.slice(pinged).map((c) => new URLSearchParams(c.body).get('hub.url'));
          const feeds = SCOPES.flatMap(([scope]) => ['xml', 'atom', 'json'].map((f) => `${d.url}${scope}/feed.${f}`));
          if (!d.hub || same) expect(topics).toEqual([]);
          else if (d.url !== was.url || d.hub !== was.hub) expect(new Set(topics)).toEqual(new Set(feeds));
          else expect(topics.filter((t) => !feeds.includes(t as string))).toEqual([]);
          for (const [scope, members] of SCOPES) {
            const pages = await walk(scope, d.url);
            const slugs = pages.flat();
            expect(new Set(slugs).size, scope).toBe(members);
            expect(slugs.length, `${scope}: an item twice`).toBe(members);
            // Archives hold exactly a page; the subscription feed a page up to just under two.
            for (const p of pages.slice(1)) expect(p.length, scope).toBe(d.size);
            expect(pages[0]?.length).toBe(members < d.size ? members : d.size + (members % d.size));
            const json = await (await get(`${scope}/feed.json`)).json<any>();
            expect(json.feed_url).toBe(`${d.url}${scope}/feed.json`);
            expect(json.hubs ?? []).toEqual(d.hub ? [{ type: 'WebSub', url: d.hub }] : []);
            const atom = parseXml(await (await get(`${scope}/feed.atom`)).text()).feed.link as any[];
            expect(atom.find((l) => l['@rel'] === 'hub')?.['@href'] ?? '').toBe(d.hub);
          }
          expect((await get('/articles/item-7')).status).toBe(200);
          expect(await (await get('/articles/item-7')).text()).toContain(`${d.url}/articles/item-7`);
        });
      }),
      // Each run starts from the deployment the last one left: shrinking would replay out of order.
      { numRuns: 4, endOnFailure: true },
    );
  });

  it("archive pages a larger page size no longer has are not served with the old pages' items", async () => {
    expect((await api('POST', '/import', { items: CORPUS })).status).toBe(200);
    // 200 items in pages of 50: archives 1-3. In pages of 80: archive 1 only (items 1-80).
    expect((await get('/archive/3/feed.xml')).status).toBe(200);
    await withPublisherEnv({ PAGE_SIZE: '80' }, async () => {
      await cron();
      await drain();
    });
    expect((await walk('', ORIGIN)).map((p) => p.length)).toEqual([120, 80]);
    for (const page of [2, 3]) {
      for (const path of ['/archive/PAGE/feed.xml', '/archive/PAGE/feed.json', '/archive/PAGE', '/articles/archive/PAGE/feed.atom']) {
        const p = path.replace('PAGE', String(page));
        expect([404, 410], `${p} after the page size grew`).toContain((await get(p)).status);
      }
    }
    // Archiving goes on in the new size: 40 more items fill page 3, and page 2 becomes an archive.
    await withPublisherEnv({ PAGE_SIZE: '80' }, async () => {
      const more = Array.from({ length: 40 }, (_, n) => syntheticItem(201 + n));
      expect((await api('POST', '/import', { items: more })).status).toBe(200);
      await drain();
    });
    const pages = await walk('', ORIGIN);
    expect(pages.map((p) => p.length)).toEqual([80, 80, 80]);
    expect(new Set(pages.flat()).size).toBe(240);
    expect((await get('/archive/2/feed.xml')).status).toBe(200);
  });
});

describe('render version', () => {
  const PARTIAL = 5;

  /**
   * A rebuild under way when the current version is deployed: KV holds version `stored`, the
   * rebuild renders `target`, and only PARTIAL of its jobs are left (the rest were done).
   */
  async function midRebuild(stored: number, target: number, docsRv: number): Promise<void> {
    expect((await api('POST', '/import', { items: CORPUS.slice(0, 110) })).status).toBe(200);
    await drain();
    await runInDurableObject(publisherStub(), async (_i, state) => {
      const { queue, books } = openStores(state.storage.sql);
      for (let n = 1; n <= PARTIAL; n++) {
        const job: Job = { t: 'slug', slug: `item-${n}` };
        queue.queueRebuild(job, rebuildRank(job));
      }
      books.setNum('rv', stored);
      books.setRebuild({ total: 121, startedAt: Date.now(), force: false, target, reason: 'site settings changed' });
      state.storage.sql.exec('UPDATE docs SET rv = ?', docsRv);
      // Nothing else is due, so the first call after the deploy sees the rebuild as the deploy left
      // it: an alarm left by the import (its purges' repeat, a minute on) could otherwise fire first
      // on a slow machine and finish the last jobs (seen in CI).
      state.storage.sql.exec('DELETE FROM purges');
      await state.storage.deleteAlarm();
    });
    await abortAllDurableObjects();
  }

  it('a deploy mid-rebuild with a new version re-queues everything and finishes at the current version', async () => {
    await midRebuild(RENDER_VERSION - 2, RENDER_VERSION - 1, RENDER_VERSION - 1);
    // The first request after the deploy: the old target is stale, so every job is owed again.
    const p = await (await api('GET', '/rebuild')).json<any>();
    expect(p.rebuild).toMatchObject({ reason: 'new render version', total: 121 });
    await drain();
    expect(await (await api('GET', '/rebuild')).json()).toEqual({ version: RENDER_VERSION, stored: RENDER_VERSION, rebuild: null });
    // Documents the old rebuild had already done were rewritten (or re-booked) by this version.
    const old = await runInDurableObject(
      publisherStub(),
      (_i, state) => state.storage.sql.exec('SELECT COUNT(*) AS n FROM docs WHERE rv != ?', RENDER_VERSION).one().n,
    );
    expect(old).toBe(0);
    const rows = await runInDurableObject(publisherStub(), (_i, state) => [
      ...state.storage.sql.exec('SELECT * FROM rebuild').toArray(),
      ...state.storage.sql.exec("SELECT key FROM settings WHERE key LIKE 'rebuild%'").toArray(),
    ]);
    expect(rows).toEqual([]);
  });

  it('a rebuild already rendering the current version is carried on, not restarted, and records it when done', async () => {
    await midRebuild(RENDER_VERSION - 1, RENDER_VERSION, RENDER_VERSION);
    const p = await (await api('GET', '/rebuild')).json<any>();
    // Miniflare may still fire an alarm deleted while it was due ("running despite AlarmManager
    // mismatch"), which carries the rebuild on before this first call; either way it is never restarted
    // (a restart reads 'new render version' and owes every job again, more than one alarm's budget).
    if (p.rebuild !== null) {
      expect(p.rebuild).toMatchObject({ reason: 'site settings changed', total: 121 });
      expect(p.rebuild.done).toBeGreaterThanOrEqual(121 - PARTIAL);
    } else expect(p).toEqual({ version: RENDER_VERSION, stored: RENDER_VERSION, rebuild: null });
    // No alarm is set (the writer found nothing new to start): the cron wakes it, as in production.
    await cron();
    await drain();
    expect(await (await api('GET', '/rebuild')).json()).toEqual({ version: RENDER_VERSION, stored: RENDER_VERSION, rebuild: null });
  });
});
