// Related coverage: computed by the writer at publish time from the tag and section scopes, shown on
// item pages and carried in subscription feeds; never the item itself, a withdrawn or a scheduled one.
import { runDurableObjectAlarm } from 'cloudflare:test';
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

const HOUR = 3_600_000;
const BASE = Date.UTC(2025, 5, 1);
const iso = (ms: number) => new Date(ms).toISOString();

/** An article in its own little world of tags (`rel-…`), so other tests' items never score. */
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

describe('related coverage on item pages', () => {
  it('lists items sharing tags and section, most related first, then nearest in time; never itself or an unrelated one', async () => {
    await publish(story('rel-main', 0, ['rel-x', 'rel-y'], 'Rel Desk'));
    await publish(story('rel-both', 1, ['rel-x', 'rel-y'], 'Rel Desk')); // 2 tags + section
    await publish(story('rel-tag-far', 2 + 24 * 30, ['rel-x'])); // 1 tag, a month later
    await publish(story('rel-tag-near', 3, ['rel-x'])); // 1 tag, the same day
    await publish(story('rel-section', 4, ['rel-other'], 'Rel Desk')); // section only
    await publish(story('rel-unrelated', 5, ['rel-elsewhere'], 'Other Desk'));
    await runAlarmsUntil();
    expect(await slugsOn('rel-main')).toEqual(['rel-both', 'rel-tag-near', 'rel-tag-far', 'rel-section']);
    const links = await relatedOnPage('/articles/rel-main');
    expect(links[0]).toEqual({ href: articleUrl('rel-both'), text: 'Story rel-both' });
    // Earlier items' pages were re-rendered when later ones arrived: the first item is on the last one's page.
    expect(await slugsOn('rel-section')).toEqual(['rel-both', 'rel-main']);
    expect(await slugsOn('rel-unrelated')).toEqual([]);
    expect((await get('/articles/rel-unrelated').then((r) => r.text())).includes('Related coverage')).toBe(false);
    // At most five.
    for (let n = 0; n < 6; n++) await publish(story(`rel-more-${n}`, 10 + n, ['rel-x', 'rel-y']));
    await runAlarmsUntil();
    const many = await slugsOn('rel-main');
    expect(many).toHaveLength(5);
    expect(many).not.toContain('rel-main');
    expect(many[0]).toBe('rel-both');
  });

  it('a withdrawn item leaves every related list, and an edit that drops the shared tag does too', async () => {
    for (const [n, slug] of ['wd-a', 'wd-b', 'wd-c', 'wd-gone'].entries()) await publish(story(slug, 100 + n, ['wd-tag']));
    await runAlarmsUntil();
    for (const slug of ['wd-a', 'wd-b', 'wd-c']) expect(await slugsOn(slug)).toContain('wd-gone');
    expect((await api('DELETE', '/items/wd-gone')).status).toBe(200);
    await runAlarmsUntil();
    for (const slug of ['wd-a', 'wd-b', 'wd-c']) {
      const list = await slugsOn(slug);
      expect(list).not.toContain('wd-gone');
      expect(list).toHaveLength(2);
    }
    await publish(story('wd-c', 102, ['wd-elsewhere']));
    await runAlarmsUntil();
    expect(await slugsOn('wd-a')).toEqual(['wd-b']);
    expect(await slugsOn('wd-c')).toEqual([]);
  });

  it('a scheduled item appears in no related list until the alarm releases it', async () => {
    await publish(story('sch-a', 0, ['sch-tag'], undefined, { published: iso(Date.now() - HOUR) }));
    const at = Date.now() + 1500;
    const res = await publish(story('sch-later', 0, ['sch-tag'], undefined, { published: iso(at) }));
    expect(res.state).toBe('scheduled');
    await runAlarmsUntil((s) => !s.jobs.pending && !s.jobs.backlog);
    expect(await slugsOn('sch-a')).toEqual([]);
    expect(
      (await get('/feed.json').then((r) => r.json<any>())).items.find((i: any) => i.url === articleUrl('sch-a'))._wirefeed,
    ).toBeUndefined();
    await sleep(at - Date.now() + 150);
    await runDurableObjectAlarm(publisherStub());
    await runAlarmsUntil();
    expect(await slugsOn('sch-a')).toEqual(['sch-later']);
    expect(await slugsOn('sch-later')).toEqual(['sch-a']);
  });
});

describe('related coverage in subscription feeds', () => {
  it('Atom entries link each related item with rel="related", JSON Feed items carry _wirefeed.related', async () => {
    await publish(story('feed-a', 0, ['feed-tag'], 'Feed Desk'));
    await publish(story('feed-b', 1, ['feed-tag']));
    await publish(story('feed-c', 2, ['feed-tag'], 'Feed Desk'));
    await runAlarmsUntil();
    const expected = [articleUrl('feed-c'), articleUrl('feed-b')];

    const atom = parseXml(await (await get('/tags/feed-tag/feed.atom')).text());
    const entries = [atom.feed.entry].flat();
    const entryA = entries.find((e: any) => [e.link].flat().some((l: any) => l['@href'] === articleUrl('feed-a') && !l['@rel']));
    const related = [entryA.link].flat().filter((l: any) => l['@rel'] === 'related');
    expect(related.map((l: any) => l['@href'])).toEqual(expected);
    // Typed as pages, untitled (a title that looks like markup would draw a W3C validator warning).
    for (const l of related) expect([l['@type'], l['@title']]).toEqual(['text/html', undefined]);

    const json = await (await get('/tags/feed-tag/feed.json')).json<any>();
    const itemA = json.items.find((i: any) => i.url === articleUrl('feed-a'));
    const ids = Object.fromEntries(json.items.map((i: any) => [i.url, i.id]));
    expect(itemA._wirefeed.related).toEqual([
      { id: ids[articleUrl('feed-c')], url: articleUrl('feed-c'), title: 'Story feed-c' },
      { id: ids[articleUrl('feed-b')], url: articleUrl('feed-b'), title: 'Story feed-b' },
    ]);
    for (const i of json.items) for (const r of i._wirefeed?.related ?? []) expect(r.url).not.toBe(i.url);

    // A withdrawal takes it out of the others' entries too.
    expect((await api('DELETE', '/items/feed-c')).status).toBe(200);
    await runAlarmsUntil();
    const after = await (await get('/tags/feed-tag/feed.json')).json<any>();
    expect(after.items.find((i: any) => i.url === articleUrl('feed-a'))._wirefeed.related.map((r: any) => r.url)).toEqual([
      articleUrl('feed-b'),
    ]);
    const home = parseXml(await (await get('/feed.atom')).text());
    const hrefs = [home.feed.entry].flat().flatMap((e: any) => [e.link].flat().map((l: any) => l['@href']));
    expect(hrefs).not.toContain(articleUrl('feed-c'));
  });
});

describe('related coverage: cost', () => {
  it('a publish into a tag and section of ~100 items writes a bounded number of KV keys', async () => {
    const corpus = Array.from({ length: 100 }, (_, n) => syntheticItem(n, { slug: `bulk-${n}`, tags: ['bulk'], section: 'Bulk Desk' }));
    await importSettled(corpus);
    const { counts, keys } = await countPublisherKv(async () => {
      await publish(syntheticItem(100, { slug: 'bulk-new', tags: ['bulk'], section: 'Bulk Desk' }));
      await runAlarmsUntil();
    });
    console.log('KV puts for one publish into a tag of 100:', counts.put);
    const pages = (keys.put ?? []).filter((k) => k.startsWith('doc:/articles/bulk-'));
    // Its own page and those of at most RELATED_WINDOW (8) of the newest others: not the whole tag.
    expect(pages).toContain('doc:/articles/bulk-new');
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.length).toBeLessThanOrEqual(1 + 8);
    for (const k of pages) if (k !== 'doc:/articles/bulk-new') expect(Number(k.split('-').pop())).toBeGreaterThanOrEqual(100 - 8);
    // Without related coverage a publish here wrote 23 keys; the bound adds the pages above and the feeds listing them.
    expect(counts.put ?? 0).toBeLessThanOrEqual(23 + 8 + 4);
  });
});
