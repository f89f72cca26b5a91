// The newsroom's chart renderer: numbers drawn and written as text, metrics not counted yet drawn as 0, and any key escaped.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stripXmlForbidden } from '../../src/model/schema';
import { renderStatsCharts, topRows, TOP, type ChartsModel, type CountsRow } from '../../src/render/stats-charts';
import { niceCeil } from '../../src/render/svg-charts';
import { anyText } from '../arbitraries';
import { elementsOf } from '../newsroom-helpers';

const EMPTY: ChartsModel = { from: '2026-12-01', to: '2026-12-03', feeds: [], moreFeeds: 0, items: [], sites: [], partners: [] };
const days = ['2026-12-01', '2026-12-02', '2026-12-03'];
const feedRows = (subs: number[]): CountsRow[] => days.map((key, i) => ({ key, subscribers: subs[i] ?? 0, fetches: 1 }));

describe('renderStatsCharts', () => {
  it('draws each chart with its numbers as bars, labels and a table; a metric the rows lack is 0', async () => {
    const html = renderStatsCharts({
      ...EMPTY,
      feeds: [{ feed: '/feed.xml', rows: feedRows([3, 4, 5]) }],
      // No `plays` and no `downloads` yet: drawn as 0, not an error.
      items: [
        { key: 'b-story', views: 7 },
        { key: 'a-story', views: 2, plays: 9 },
        { key: 'quiet', views: 0 },
      ],
      sites: [{ key: 'https://news.example', impressions: 12, plays: 3, q25: 1 }],
      partners: [{ key: 'msn', fetches: 40 }],
    });
    const els = await elementsOf(html);
    const bars = els
      .filter((e) => e.tag === 'rect')
      .map((e) => [e.attrs['data-key'], e.attrs['data-metric'], Number(e.attrs['data-value'])]);
    expect(bars).toEqual([
      // Busiest first by views + plays; "quiet" counted nothing and is left out.
      ['a-story', 'views', 2],
      ['a-story', 'plays', 9],
      ['b-story', 'views', 7],
      ['b-story', 'plays', 0],
      ['https://news.example', 'impressions', 12],
      ['https://news.example', 'plays', 3],
      ['msn', 'fetches', 40],
    ]);
    // Bars are as long as their numbers say: the longest fills the plot; 0 has no length.
    const width = (k: string, m: string) => Number(els.find((e) => e.attrs['data-key'] === k && e.attrs['data-metric'] === m)?.attrs.width);
    expect(width('a-story', 'plays')).toBe(360);
    expect(width('b-story', 'views')).toBeCloseTo((360 * 7) / 9, 0);
    expect(width('b-story', 'plays')).toBe(0);
    // One line per feed, and a table of its days.
    expect(els.filter((e) => e.tag === 'g' && e.attrs.class?.startsWith('line')).map((e) => e.attrs['data-key'])).toEqual(['/feed.xml']);
    const cells = els.filter((e) => e.tag === 'td' && e.attrs['data-series'] === '/feed.xml').map((e) => Number(e.attrs['data-value']));
    expect(cells).toEqual([3, 4, 5]);
    expect(html).toContain('<p class="empty">Nothing was downloaded in this range.</p>');
    // Numbers are written as text too, with a <title> per bar and the svg labelled.
    expect(html).toContain('<title>a-story: 9 plays</title>');
    expect(els.filter((e) => e.tag === 'svg').every((e) => e.attrs.role === 'img' && e.attrs['aria-labelledby'])).toBe(true);
  });

  it('an empty range says so in every chart and draws nothing', async () => {
    const html = renderStatsCharts(EMPTY);
    expect((await elementsOf(html)).filter((e) => ['svg', 'rect', 'polyline'].includes(e.tag))).toEqual([]);
    expect(html.match(/class="empty"/g)).toHaveLength(5);
  });

  it('draws the top rows and says how many more there are; large counts are grouped', () => {
    const items = Array.from({ length: TOP + 3 }, (_, i) => ({ key: `s${i}`, views: 1000 * (i + 1) }));
    const { rows, more } = topRows(items, ['views', 'plays']);
    expect(rows.map((r) => r.key)).toEqual(Array.from({ length: TOP }, (_, i) => `s${TOP + 2 - i}`));
    expect(more).toBe(3);
    const html = renderStatsCharts({ ...EMPTY, items });
    expect(html).toContain('and 3 more not shown');
    expect(html).toContain('>13,000<');
  });

  it('a one-day range draws a dot per feed, so the line has a size', async () => {
    const html = renderStatsCharts({
      ...EMPTY,
      from: '2026-12-01',
      to: '2026-12-01',
      feeds: [{ feed: '/feed.json', rows: feedRows([2]).slice(0, 1) }],
    });
    expect((await elementsOf(html)).filter((e) => e.tag === 'circle')).toHaveLength(1);
  });

  it('niceCeil gives the axis top', () => {
    expect([0, 1, 3, 10, 11, 49, 51, 999].map(niceCeil)).toEqual([1, 1, 5, 10, 20, 50, 100, 1000]);
  });
});

// Keys come from requests (feed paths, embedding sites' origins): whatever they hold, the markup is ours.
describe('escaping (property)', () => {
  const key = fc.oneof(
    anyText(),
    fc.constantFrom('<script>alert(1)</script>', '"><svg onload=alert(1)>', "' onmouseover='x", '</title><script>'),
  );
  const keys = fc.uniqueArray(key, { minLength: 4, maxLength: 4 });
  const model = (k: readonly string[]): ChartsModel => ({
    ...EMPTY,
    feeds: [{ feed: k[0] as string, rows: feedRows([1, 2, 3]) }],
    items: [{ key: k[1] as string, views: 5, plays: 1, downloads: 2 }],
    sites: [{ key: k[2] as string, impressions: 3, plays: 1 }],
    partners: [{ key: k[3] as string, fetches: 4 }],
  });

  it('any Unicode key leaves the elements and attributes as they are for plain keys, and reads back as text', async () => {
    const shape = async (html: string) => (await elementsOf(html)).map((e) => `${e.tag}[${Object.keys(e.attrs).join(',')}]`);
    const plain = await shape(renderStatsCharts(model(['/k0', 'k1', 'k2', 'k3'])));
    expect(plain).not.toContain('script[]');
    await fc.assert(
      fc.asyncProperty(keys, async (k) => {
        const html = renderStatsCharts(model(k));
        expect(await shape(html)).toEqual(plain);
        // Every key is carried whole, as the API gives it (less what XML forbids), where the test and the reader look.
        const els = await elementsOf(html);
        const carried = els.flatMap((e) => (e.attrs['data-key'] === undefined ? [] : [e.attrs['data-key']]));
        for (const x of k) expect(carried).toContain(stripXmlForbidden(x));
        expect(html).not.toMatch(/<script|<svg onload|<title><script/i);
      }),
      { numRuns: 150 },
    );
  });
});
