// Related coverage: computed by the writer once, when an item is committed, and stored; shown on item
// pages and carried in subscription feeds; never the item itself, a withdrawn or a scheduled one; a
// withdrawal, a move back to scheduled or a rename re-renders exactly the pages whose lists name it.
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  api,
  countPublisherKv,
  get,
  importSettled,
  ORIGIN,
  parseXml,
  publish,
  publisherStub,
  runAlarmsUntil,
  sleep,
  syntheticItem,
} from '../helpers';
import { ninjsItem, ninjsList, putPartner } from '../partners-helpers';

const HOUR = 3_600_000;
const BASE = Date.UTC(2025, 5, 1);
const iso = (ms: number) => new Date(ms).toISOString();

/** An article in its own little world of tags, so other tests' items never share one. */
const story = (slug: string, hours: number, tags: string[], section?: string, extra: Record<string, unknown> = {}) =>
  syntheticItem(1, { slug, title: `Story ${slug}`, published: iso(BASE + hours * HOUR), tags, ...(section ? { section } : {}), ...extra });

/** The related links of an item page, in order, as workerd's HTML parser (lol-html) reads them. */
async function relatedOnPage(path: string): Promise<{ href: string; text: string }[]> {
  const res = await get(path);
  expect(res.status).toBe(200);
  const out: { href: string; text: string }[] = [];
  let heading = '';
  await new HTMLRewriter()
    .on('aside.related h2', { text: (t) => void (heading += t.text) })
    .on('aside.related li a', {
      element: (e) => void out.push({ href: e.getAttribute('href') ?? '', text: '' }),
      text: (t) => {
        const last = out[out.length - 1];
        if (last) last.text += t.text;
      },
    })
    .transform(res)
    .arrayBuffer();
  if (out.length) expect(heading).toBe('Related coverage');
  return out;
}

const articleUrl = (slug: string) => `${ORIGIN}/articles/${slug}`;
const slugsOn = async (slug: string) => (await relatedOnPage(`/articles/${slug}`)).map((l) => l.href.replace(`${ORIGIN}/articles/`, ''));
/** The item pages a KV write log shows written (not the articles' feeds). */
const pagesPut = (keys: Record<string, string[]>) => (keys.put ?? []).filter((k) => /^doc:\/articles\/(?!feed\.)[^/]+$/.test(k)).sort();

describe('related coverage on item pages', () => {
  it('lists items sharing tags, then the section, then the newest; never itself or an unrelated one; at most five', async () => {
    await publish(story('rel-both', 1, ['rel-x', 'rel-y'], 'Rel Desk')); // 2 tags + section
    await publish(story('rel-tag-old', 2, ['rel-x'])); // 1 tag
    await publish(story('rel-tag-new', 3, ['rel-x'])); // 1 tag, newer
    await publish(story('rel-section', 4, ['rel-other'], 'Rel Desk')); // section only
    await publish(story('rel-unrelated', 5, ['rel-elsewhere'], 'Other Desk'));
    await runAlarmsUntil();
    const { keys } = await countPublisherKv(async () => {
      await publish(story('rel-main', 6, ['rel-x', 'rel-y'], 'Rel Desk'));
      await runAlarmsUntil();
    });
    expect(await slugsOn('rel-main')).toEqual(['rel-both', 'rel-tag-new', 'rel-tag-old', 'rel-section']);
    expect((await relatedOnPage('/articles/rel-main'))[0]).toEqual({ href: articleUrl('rel-both'), text: 'Story rel-both' });
    // A new item goes on the pages of the items it lists (their lists computed again), and no other.
    expect(pagesPut(keys)).toEqual(
      ['rel-both', 'rel-main', 'rel-section', 'rel-tag-new', 'rel-tag-old'].map((slug) => `doc:/articles/${slug}`),
    );
    expect(await slugsOn('rel-both')).toEqual(['rel-main', 'rel-tag-new', 'rel-tag-old', 'rel-section']);
    expect(await get('/articles/rel-unrelated').then((r) => r.text())).not.toContain('Related coverage');
    await publish(story('rel-both', 1, ['rel-x', 'rel-y'], 'Rel Desk', { summary: 'Edited.' }));
    await runAlarmsUntil();
    expect(await slugsOn('rel-both')).toEqual(['rel-main', 'rel-tag-new', 'rel-tag-old', 'rel-section']);
    for (let n = 0; n < 6; n++) await publish(story(`rel-more-${n}`, 10 + n, ['rel-x', 'rel-y']));
    await runAlarmsUntil();
    expect(await slugsOn('rel-more-5')).toEqual(['rel-more-4', 'rel-more-3', 'rel-more-2', 'rel-more-1', 'rel-more-0']);
  });

  it('a withdrawal re-renders the pages whose lists name the item, and only those, with their lists computed again', async () => {
    for (const [n, slug] of ['wd-gone', 'wd-a', 'wd-b', 'wd-c'].entries()) await publish(story(slug, 100 + n, ['wd-tag']));
    await publish(story('wd-other', 104, ['wd-elsewhere']));
    await publish(story('wd-d', 105, ['wd-tag-2']));
    await runAlarmsUntil();
    expect(await slugsOn('wd-c')).toEqual(['wd-b', 'wd-a', 'wd-gone']);
    expect(await slugsOn('wd-a')).toEqual(['wd-c', 'wd-b', 'wd-gone']);
    const { keys } = await countPublisherKv(async () => {
      expect((await api('DELETE', '/items/wd-gone')).status).toBe(200);
      await runAlarmsUntil();
    });
    // Its own 410 page, and the three pages that listed it: not wd-other, not wd-d.
    expect(pagesPut(keys)).toEqual(['doc:/articles/wd-a', 'doc:/articles/wd-b', 'doc:/articles/wd-c', 'doc:/articles/wd-gone']);
    // Computed again, they take in what was published since (the window looks both ways).
    expect(await slugsOn('wd-a')).toEqual(['wd-c', 'wd-b']);
    expect(await slugsOn('wd-b')).toEqual(['wd-c', 'wd-a']);
    expect(await slugsOn('wd-c')).toEqual(['wd-b', 'wd-a']);
    const feed = await (await get('/tags/wd-tag/feed.json')).json<any>();
    for (const i of feed.items) for (const r of i._wirefeed?.related ?? []) expect(r.url).not.toBe(articleUrl('wd-gone'));
  });

  it('a scheduled item is in no list until released; moved back to scheduled, it leaves the lists naming it', async () => {
    await publish(story('sch-a', 0, ['sch-tag'], undefined, { published: iso(Date.now() - 2 * HOUR) }));
    const at = Date.now() + 1500;
    expect((await publish(story('sch-later', 0, ['sch-tag'], undefined, { published: iso(at) }))).state).toBe('scheduled');
    await publish(story('sch-b', 0, ['sch-tag'], undefined, { published: iso(Date.now() - HOUR) }));
    await runAlarmsUntil((s) => !s.jobs.pending && !s.jobs.backlog);
    expect(await slugsOn('sch-b')).toEqual(['sch-a']);
    await sleep(at - Date.now() + 150);
    await runDurableObjectAlarm(publisherStub());
    await runAlarmsUntil();
    expect(await slugsOn('sch-later')).toEqual(['sch-b', 'sch-a']);
    // sch-c lists sch-later; then sch-later is moved back into the future.
    await publish(story('sch-c', 0, ['sch-tag'], undefined, { published: iso(Date.now() - HOUR / 2) }));
    await runAlarmsUntil();
    expect(await slugsOn('sch-c')).toContain('sch-later');
    await publish(story('sch-later', 0, ['sch-tag'], undefined, { published: iso(Date.now() + 3_600_000) }));
    await runAlarmsUntil((s) => !s.jobs.pending && !s.jobs.backlog);
    expect(await slugsOn('sch-c')).toEqual(['sch-b', 'sch-a']);
  });

  it('a rebuild computes every list again (storage from before related coverage gets its lists)', async () => {
    await publish(story('rb-old', 400, ['rb-tag']));
    await publish(story('rb-new', 401, ['rb-tag']));
    await runAlarmsUntil();
    expect(await slugsOn('rb-old')).toEqual(['rb-new']);
    // As storage written before related coverage: no stored lists at all.
    const left = await runInDurableObject(publisherStub(), (_i, state) => {
      state.storage.sql.exec('DELETE FROM related');
      return state.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM related').one().n;
    });
    expect(left).toBe(0);
    // The rebuild re-renders every page: without the lists computed again they would be empty.
    expect((await api('POST', '/rebuild')).status).toBe(202);
    await runAlarmsUntil();
    expect(await slugsOn('rb-old')).toEqual(['rb-new']);
    expect(await slugsOn('rb-new')).toEqual(['rb-old']);
  });

  it('a rename re-renders the pages listing the item, which link its new address', async () => {
    const first = await publish(story('rn-old', 200, ['rn-tag']));
    await publish(story('rn-lister', 201, ['rn-tag']));
    await runAlarmsUntil();
    expect(await slugsOn('rn-lister')).toEqual(['rn-old']);
    await publish({ ...story('rn-new', 200, ['rn-tag']), id: first.id, title: 'Story renamed' });
    await runAlarmsUntil();
    expect(await relatedOnPage('/articles/rn-lister')).toEqual([{ href: articleUrl('rn-new'), text: 'Story renamed' }]);
  });
});

describe('related coverage in subscription feeds', () => {
  it('Atom entries link each related item with rel="related", JSON Feed items carry _wirefeed.related', async () => {
    await publish(story('feed-a', 0, ['feed-tag'], 'Feed Desk'));
    await publish(story('feed-b', 1, ['feed-tag']));
    await publish(story('feed-c', 2, ['feed-tag'], 'Feed Desk'));
    await runAlarmsUntil();
    const atom = parseXml(await (await get('/tags/feed-tag/feed.atom')).text());
    const entries = [atom.feed.entry].flat();
    const entryC = entries.find((e: any) => [e.link].flat().some((l: any) => l['@href'] === articleUrl('feed-c') && !l['@rel']));
    const related = [entryC.link].flat().filter((l: any) => l['@rel'] === 'related');
    expect(related.map((l: any) => l['@href'])).toEqual([articleUrl('feed-a'), articleUrl('feed-b')]);
    // Typed as pages, untitled (a title that looks like markup would draw a W3C validator warning).
    for (const l of related) expect([l['@type'], l['@title']]).toEqual(['text/html', undefined]);

    const json = await (await get('/tags/feed-tag/feed.json')).json<any>();
    const ids = Object.fromEntries(json.items.map((i: any) => [i.url, i.id]));
    expect(json.items.find((i: any) => i.url === articleUrl('feed-c'))._wirefeed.related).toEqual([
      { id: ids[articleUrl('feed-a')], url: articleUrl('feed-a'), title: 'Story feed-a' },
      { id: ids[articleUrl('feed-b')], url: articleUrl('feed-b'), title: 'Story feed-b' },
    ]);
    for (const i of json.items) for (const r of i._wirefeed?.related ?? []) expect(r.url).not.toBe(i.url);

    // A withdrawal takes it out of the others' entries too, in every feed they are in.
    expect((await api('DELETE', '/items/feed-a')).status).toBe(200);
    await runAlarmsUntil();
    for (const path of ['/tags/feed-tag/feed.json', '/feed.json']) {
      const after = await (await get(path)).json<any>();
      expect(after.items.find((i: any) => i.url === articleUrl('feed-c'))._wirefeed.related.map((r: any) => r.url)).toEqual([
        articleUrl('feed-b'),
      ]);
    }
  });
});

describe('related coverage for partners', () => {
  it('ninjs objects carry the stored list as associations, and lose a withdrawn story from them', async () => {
    await putPartner('rel-lic', { name: 'Related licensee', profile: 'ninjs', scope: { sections: ['Nj Desk'] } });
    const recent = (slug: string, minutes: number) =>
      story(slug, 0, ['nj-tag'], 'Nj Desk', { published: iso(Date.now() - 3_600_000 + minutes * 60_000) });
    await publish(recent('nj-a', 1));
    await publish(recent('nj-b', 2));
    const c = await publish(recent('nj-c', 3));
    await runAlarmsUntil();
    const related = (o: any) => (o.associations ?? []).filter((a: any) => a.rel === 'related');
    const object = await ninjsItem('rel-lic', 'nj-c');
    expect(object.uri).toBe(c.id);
    expect(related(object).map((a: any) => [a.name, a.altIds[0].value])).toEqual([
      ['Story nj-b', articleUrl('nj-b')],
      ['Story nj-a', articleUrl('nj-a')],
    ]);
    for (const a of related(object)) expect(a).toMatchObject({ type: 'text', headlines: [{ role: 'main', value: a.name }] });
    expect(related((await ninjsList('rel-lic')).find((o: any) => o.uri === c.id)).length).toBe(2);
    expect((await api('DELETE', '/items/nj-a')).status).toBe(200);
    await runAlarmsUntil();
    expect(related(await ninjsItem('rel-lic', 'nj-c')).map((a: any) => a.name)).toEqual(['Story nj-b']);
    expect(related((await ninjsList('rel-lic')).find((o: any) => o.uri === c.id)).map((a: any) => a.name)).toEqual(['Story nj-b']);
  });
});

describe('related coverage: cost', () => {
  it('a publish into a tag and section of 100 items re-renders only the five pages it now belongs on', async () => {
    const corpus = Array.from({ length: 100 }, (_, n) => syntheticItem(n, { slug: `bulk-${n}`, tags: ['bulk'], section: 'Bulk Desk' }));
    await importSettled(corpus);
    const { counts, keys } = await countPublisherKv(async () => {
      await publish(syntheticItem(100, { slug: 'bulk-new', tags: ['bulk'], section: 'Bulk Desk' }));
      await runAlarmsUntil();
    });
    console.log('KV puts for one publish into a tag of 100:', counts.put);
    expect(pagesPut(keys)).toEqual(['95', '96', '97', '98', '99', 'new'].map((n) => `doc:/articles/bulk-${n}`));
    expect(await slugsOn('bulk-new')).toEqual(['bulk-99', 'bulk-98', 'bulk-97', 'bulk-96', 'bulk-95']);
    // The subscription feed carries the lists of its newest ten entries (RELATED_IN_FEEDS), no more.
    const feed = await (await get('/tags/bulk/feed.json')).json<any>();
    expect(feed.items.length).toBeGreaterThan(10);
    expect(feed.items[0]._wirefeed.related.map((r: any) => r.url)).toEqual(
      ['99', '98', '97', '96', '95'].map((n) => articleUrl(`bulk-${n}`)),
    );
    expect(feed.items.slice(0, 10).every((i: any) => i._wirefeed?.related?.length === 5)).toBe(true);
    expect(feed.items.slice(10).some((i: any) => i._wirefeed?.related)).toBe(false);
  });
});

describe('related coverage: property', () => {
  it('over arbitrary tag sets, withdrawals and schedules, no list holds itself, a withdrawn or a scheduled item, or more than five', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            tags: fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 3 }),
            section: fc.option(fc.constantFrom('S', 'T'), { nil: undefined }),
            fate: fc.constantFrom('live', 'live', 'live', 'withdrawn', 'scheduled'),
          }),
          { minLength: 2, maxLength: 9 },
        ),
        async (specs) => {
          run++;
          const slug = (i: number) => `pr${run}-${i}`;
          const items = specs.map((s, i) =>
            story(
              slug(i),
              300 + i,
              s.tags.map((t) => `pr${run}-${t}`),
              s.section && `Pr${run} ${s.section}`,
            ),
          );
          await importSettled(items);
          for (const [i, s] of specs.entries()) {
            if (s.fate === 'withdrawn') expect((await api('DELETE', `/items/${slug(i)}`)).status).toBe(200);
            if (s.fate === 'scheduled') await publish({ ...items[i], published: iso(Date.now() + 86_400_000) });
          }
          await runAlarmsUntil();
          const dead = new Set(specs.flatMap((s, i) => (s.fate === 'live' ? [] : [slug(i)])));
          for (const [i, s] of specs.entries()) {
            if (s.fate !== 'live') continue;
            const list = await slugsOn(slug(i));
            expect(list.length).toBeLessThanOrEqual(5);
            expect(new Set(list).size).toBe(list.length);
            expect(list).not.toContain(slug(i));
            for (const other of list) {
              expect(dead.has(other), `${slug(i)} lists ${other}`).toBe(false);
              // Every listed item shares a tag or the section.
              const o = specs[Number(other.split('-').pop())];
              expect(o && (o.tags.some((t) => s.tags.includes(t)) || (s.section !== undefined && o.section === s.section))).toBe(true);
            }
          }
        },
      ),
      { numRuns: 8 },
    );
  });
});
