// The byte budget of list documents (issue 15): as much detail as fits, newest first, in about one render.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ItemRecord, Site } from '../../src/model/schema';
import { bytesWithin, renderDocWithin } from '../../src/render/budget';
import type { FeedDoc } from '../../src/render/document';
import { renderAtom, renderRss } from '../../src/render/feed-adapter';
import { renderJsonFeed } from '../../src/render/json-feed';
import { renderScopePage } from '../../src/render/scope-page';
import { anyItem, cleanedProse, normalised } from '../arbitraries';

const utf8 = (s: string) => new TextEncoder().encode(s).byteLength;
const SITE: Site = { title: 'Wirefeed', description: 'News', language: 'en', author: 'Desk', url: 'https://news.example', pageSize: 50 };
const FORMATS: [string, (d: FeedDoc) => string][] = [
  ['rss', (d) => renderRss(d)],
  ['atom', renderAtom],
  ['json', renderJsonFeed],
  ['page', renderScopePage],
];

/** A stored record of an arbitrary item, with a body of HTML of the given text. */
function record(input: Record<string, unknown>, i: number, bodyHtml: string): ItemRecord {
  const n = normalised({ ...input, slug: `item-${i}` });
  const authors = n.authors ?? [{ name: SITE.author }];
  const tags = n.tags ?? [];
  return {
    ...n,
    id: `tag:news.example,2026:item-${i}`,
    seq: i + 1,
    language: n.language ?? SITE.language,
    authors,
    tags,
    bodyHtml,
    refs: { authors: authors.map((_, k) => `a${k}`), tags: tags.map((_, k) => `t${k}`), ...(n.section ? { section: 's' } : {}) },
  };
}

// Bodies of every width of UTF-8, markup and CDATA ends, up to 40,000 characters.
const body = fc
  .tuple(fc.constantFrom('a', 'é', '€', '😀', '<p>x&amp;y</p>', ']]>', '"\\'), fc.nat(40_000), fc.string({ maxLength: 20 }))
  .map(([unit, size, tail]) => unit.repeat(Math.ceil(size / unit.length)) + cleanedProse(tail));
const items = fc
  .array(fc.tuple(anyItem, body), { maxLength: 24 })
  .map((xs) => xs.map(([input, html], i) => record(input, i, html)).sort((a, b) => Date.parse(b.published) - Date.parse(a.published)));

describe('renderDocWithin', () => {
  it('never exceeds the budget, keeps full detail for the newest, as much as fits, and lists every item', () => {
    fc.assert(
      fc.property(items, fc.nat(3), fc.nat(2), fc.integer({ min: 0, max: 1000 }), (its, f, range, share) => {
        const [name, render] = FORMATS[f]!;
        const d: FeedDoc = { site: SITE, scope: '', label: '', page: 0, items: its };
        const whole = utf8(render(d));
        const least = utf8(render({ ...d, detail: { full: 0, lean: 0 } }));
        const summaries = utf8(render({ ...d, detail: { full: 0, lean: its.length } }));
        // A budget where summaries are cut, where full detail is, or anywhere up to past the whole.
        const [lo, hi] = [
          [least * 0.98, summaries * 1.01],
          [summaries, whole],
          [0, whole * 1.2],
        ][range]!;
        const budget = Math.floor(lo! + ((hi! - lo!) * share) / 1000);
        let big = 0; // renders of the document with more than one item, some in full
        const cuts = new Map<string, FeedDoc['detail']>(); // what each render carried
        const counted = (x: FeedDoc) => {
          if (x.items.length > 1 && (x.detail?.full ?? 1) > 0) big++;
          const s = render(x);
          cuts.set(s, x.detail);
          return s;
        };
        const out = renderDocWithin(d, counted, budget);
        const n = its.length;
        const { full, lean } = cuts.get(out) ?? { full: n, lean: n };
        const fits = (full: number, lean: number) => utf8(render({ ...d, detail: { full, lean } })) <= budget;
        if (least <= budget) {
          expect(utf8(out), name).toBeLessThanOrEqual(budget);
          // As much detail as fits: one more full item (or summary) would not.
          if (lean === n && full < n) expect(fits(full + 1, n), `${name}: ${full} full`).toBe(false);
          if (lean < n) expect([full, fits(0, lean + 1)], `${name}: ${lean} summaries`).toEqual([0, false]);
        }
        if (whole <= budget) expect(out).toBe(render(d));
        // The whole (rendered first when the bodies are small), the guessed cut, the cut walked to
        // and one more for a close call, at most: the estimate was right.
        expect(big, name).toBeLessThanOrEqual(4);
        if (name === 'json') {
          const got = JSON.parse(out).items as Record<string, unknown>[];
          expect(got.map((i) => i.id)).toEqual(its.map((i) => i.id));
          const full = got.map((i) => 'content_html' in i);
          const k = full.indexOf(false);
          if (k >= 0) expect(full.slice(k).every((x) => !x)).toBe(true);
        }
      }),
      // Shrinking documents of megabytes takes many minutes: the first counterexample and its seed are reported as found.
      { endOnFailure: true },
    );
  });

  it('renders 40 long bodies in at most 1.5 budgets of characters, whatever their length', () => {
    const long = (i: number, size: number) =>
      record(
        {
          kind: 'article',
          title: `Story ${i}`,
          summary: 'What happened.',
          published: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
        },
        i,
        'x'.repeat(size),
      );
    for (const size of [100_000, 190_000, 400_000]) {
      const d: FeedDoc = { site: SITE, scope: '', label: '', page: 0, items: Array.from({ length: 40 }, (_, i) => long(40 - i, size)) };
      for (const [name, render] of FORMATS) {
        let bytes = 0;
        const out = renderDocWithin(d, (x) => {
          const s = render(x);
          bytes += s.length;
          return s;
        });
        expect(utf8(out), name).toBeLessThanOrEqual(4 * 1024 * 1024);
        expect(bytes, `${name}, bodies of ${size}: characters rendered`).toBeLessThanOrEqual(1.5 * 4 * 1024 * 1024);
      }
    }
  });
});

describe('bytesWithin', () => {
  it('counts what TextEncoder writes (lone surrogates included) up to the budget, and past it says Infinity', () => {
    const surrogates = fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)), maxLength: 4 });
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 50 }), surrogates, fc.nat(400), (a, b, budget) => {
        const s = a + b + a;
        expect(bytesWithin(s, budget)).toBe(utf8(s) <= budget ? utf8(s) : Infinity);
      }),
    );
  });
});
