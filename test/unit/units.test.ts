// Unit tests of the pure parts, with explicit clocks and no sleeps: sizes, pacing, validators, Markdown, dates, names, budgets, hashes, messages.
import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { isNotModified } from '../../src/http/serve';
import { dateProblem } from '../../src/model/dates';
import { canonical, contentHash, quickHash } from '../../src/model/hash';
import { problemOf } from '../../src/model/messages';
import { NAME_SLUG, baseSlug, candidateSlug, nameKey } from '../../src/model/names';
import { ItemInput } from '../../src/model/schema';
import { WritePacer } from '../../src/publish/write-pacer';
import { fits, renderWithin } from '../../src/render/budget';
import { BodyTooLarge, renderMarkdown } from '../../src/render/markdown';
import { fit } from '../../src/render/oembed';

const SITE = 'http://127.0.0.1:8787';
const utf8 = (s: string) => new TextEncoder().encode(s).byteLength;
const dimension = fc.integer({ min: 1, max: 16384 });
const limit = fc.option(fc.integer({ min: 1, max: 99999 }), { nil: undefined });

describe('fit (oEmbed sizes)', () => {
  it('stays within the limits, keeps the aspect ratio within a pixel and never upscales', () => {
    fc.assert(
      fc.property(dimension, dimension, limit, limit, (w, h, maxwidth, maxheight) => {
        const r = fit(w, h, { maxwidth, maxheight });
        expect(Number.isInteger(r.width) && Number.isInteger(r.height)).toBe(true);
        expect(r.width).toBeGreaterThanOrEqual(1);
        expect(r.height).toBeGreaterThanOrEqual(1);
        expect(r.width).toBeLessThanOrEqual(w);
        expect(r.height).toBeLessThanOrEqual(h);
        if (maxwidth !== undefined) expect(r.width).toBeLessThanOrEqual(maxwidth);
        if (maxheight !== undefined) expect(r.height).toBeLessThanOrEqual(maxheight);
        // The ratio can be kept whenever a width of at least one pixel fits the height limit.
        if (maxheight === undefined || (maxheight * w) / h >= 1) expect(Math.abs(r.height - (r.width * h) / w)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 500 },
    );
  });

  it('answers the native size without limits and the examples the oEmbed tests use', () => {
    expect(fit(640, 360, {})).toEqual({ width: 640, height: 360 });
    expect(fit(640, 360, { maxwidth: 500 })).toEqual({ width: 500, height: 281 });
    expect(fit(640, 360, { maxheight: 200 })).toEqual({ width: 355, height: 199 });
    expect(fit(640, 360, { maxwidth: 2000, maxheight: 2000 })).toEqual({ width: 640, height: 360 });
  });
});

describe('WritePacer', () => {
  it('a key written at t may be written again at t + gap; unknown keys at once; the latest write of a set decides', () => {
    const p = new WritePacer();
    expect(p.readyAt(['a'], 1000)).toBeLessThanOrEqual(0);
    p.wrote(['a', 'b'], 10_000, 1000);
    expect(p.readyAt(['a'], 1000)).toBe(11_000);
    p.wrote(['b'], 10_400, 1000);
    expect(p.readyAt(['a', 'b', 'c'], 1000)).toBe(11_400);
    expect(p.readyAt(['c'], 1000)).toBeLessThanOrEqual(0);
    expect(p.readyAt([], 1000)).toBeLessThanOrEqual(0);
  });

  it('forgetting old keys (past 4096) never forgets one still inside its gap', () => {
    const p = new WritePacer();
    p.wrote(
      Array.from({ length: 5000 }, (_, i) => `old-${i}`),
      0,
      1000,
    );
    p.wrote(['recent'], 9_800, 1000);
    p.wrote(['trigger'], 10_000, 1000);
    expect(p.readyAt(['recent'], 1000)).toBe(10_800);
    expect(p.readyAt(['trigger'], 1000)).toBe(11_000);
    expect(p.readyAt(['old-1', 'old-4999'], 1000)).toBeLessThanOrEqual(10_000);
  });
});

describe('isNotModified', () => {
  const meta = { etag: '"abc"', lastModified: 'Thu, 26 Nov 2026 04:00:00 GMT' };
  it.each<[string | undefined, string | undefined, boolean]>([
    ['"abc"', undefined, true],
    ['W/"abc"', undefined, true],
    ['"x", "abc"', undefined, true],
    ['*', undefined, true],
    ['"x"', undefined, false],
    ['"ab"', undefined, false],
    [undefined, 'Thu, 26 Nov 2026 04:00:00 GMT', true],
    [undefined, 'Thu, 26 Nov 2026 05:00:00 GMT', true],
    [undefined, 'Thu, 26 Nov 2026 03:59:59 GMT', false],
    [undefined, 'not a date', false],
    [undefined, undefined, false],
    ['"x"', 'Thu, 26 Nov 2026 05:00:00 GMT', false],
    ['"abc"', 'Thu, 26 Nov 2026 03:00:00 GMT', true],
  ])('If-None-Match %s, If-Modified-Since %s → %s', (inm, ims, expected) => {
    expect(isNotModified(meta, inm, ims)).toBe(expected);
  });

  it('If-Modified-Since compares whole seconds, as HTTP dates have them', () => {
    const instant = fc.integer({ min: 0, max: 7_000_000_000_000 });
    fc.assert(
      fc.property(instant, instant, (written, asked) => {
        const lm = new Date(written).toUTCString();
        expect(isNotModified({ etag: '"e"', lastModified: lm }, undefined, new Date(asked).toUTCString())).toBe(
          Math.floor(written / 1000) <= Math.floor(asked / 1000),
        );
      }),
    );
  });
});

// What Markdown may produce: these elements, no event handlers, links and sources only to http(s), mailto or #.
const SAFE_TAGS = /^(p|a|img|strong|em|del|code|pre|ul|ol|li|h[1-6]|blockquote|hr|br|table|thead|tbody|tr|th|td|input)$/;
function expectHarmless(html: string) {
  for (const [tag, name, attrs] of html.matchAll(/<([a-zA-Z][\w-]*)([^>]*)>/g)) {
    expect(name, tag).toMatch(SAFE_TAGS);
    for (const [, attr, value] of (attrs as string).matchAll(/([^\s=]+)(?:="([^"]*)")?/g)) {
      expect(attr, tag).not.toMatch(/^on/i);
      if (attr === 'href' || attr === 'src') expect(value, tag).toMatch(/^(https?:\/\/|mailto:|#)/);
    }
  }
}

describe('renderMarkdown', () => {
  it('escapes raw HTML, drops script links, makes relative links absolute, keeps mailto and fragments', () => {
    const html = renderMarkdown(
      '<script>alert(1)</script>\n\nText <b onclick="x()">bold</b> [js](javascript:alert(1)) [data](data:text/html,x) [vb](vbscript:x) [rel](/about) [frag](#top) [mail](mailto:desk@example.com) ![img](/media/a.jpg) [abs](https://example.com/a?b=1&c=2)',
      SITE,
    );
    expectHarmless(html);
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('&lt;b onclick=&quot;x()&quot;&gt;bold&lt;/b&gt;');
    expect(html).toContain('js');
    expect(html).toContain(`<a href="${SITE}/about">rel</a>`);
    expect(html).toContain('<a href="#top">frag</a>');
    expect(html).toContain('<a href="mailto:desk@example.com">mail</a>');
    expect(html).toContain(`<img src="${SITE}/media/a.jpg" alt="img" loading="lazy">`);
    expect(html).toContain('<a href="https://example.com/a?b=1&amp;c=2">abs</a>');
  });

  it('text after an escaped <code>, <pre>, <kbd> or <script> tag is escaped too', () => {
    for (const opener of ['<code>', '<pre>', '<kbd>', '<script>']) {
      const html = renderMarkdown(`Hello ${opener}<img src=x onerror=alert(1)// and more`, SITE);
      expect(html, opener).not.toContain('<img src=x');
      expectHarmless(html);
    }
  });

  it('refuses a reference-link bomb before building it', () => {
    const bomb = `[a]: https://example.com/${'x'.repeat(2000)}\n\n${'[a] '.repeat(5000)}`;
    expect(bomb.length).toBeLessThan(30_000);
    expect(() => renderMarkdown(bomb, SITE, 400 * 1024)).toThrow(BodyTooLarge);
    expect(() => renderMarkdown('plain words', SITE, 400 * 1024)).not.toThrow();
  });

  it('nothing typed can script a reader', () => {
    const parts = fc.constantFrom(
      '<script>',
      '<code>',
      '<pre>',
      '<kbd>',
      '</script>',
      '<img src=x onerror=alert(1)>',
      '[x](',
      'javascript:',
      ')',
      '<',
      '>',
      '"',
      "'",
      '&',
      '\n',
      ' ',
      'a',
      '![y](',
      '<a href="',
      '<iframe',
      '`',
      '*',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(parts, fc.string({ maxLength: 4 })), { maxLength: 30 }), (xs) => {
        expectHarmless(renderMarkdown(xs.join(''), SITE));
      }),
      { numRuns: 200 },
    );
  });
});

describe('dateProblem', () => {
  it.each([
    '2020-06-16T18:30:00+09:00',
    '2021-01-01T00:00:00Z',
    '2021-01-01T00:00Z',
    '2020-02-29T23:59:59.123456789-23:59',
    '1900-01-01T00:00:00Z',
    '2199-12-31T23:59:59Z',
  ])('accepts %s', (s) => expect(dateProblem(s)).toBeNull());
  it.each([
    ['2021-02-29T00:00:00Z', 'is not a date'],
    ['2021-02-30T00:00:00Z', 'is not a date'],
    ['2021-13-01T00:00:00Z', 'is not a date'],
    ['2021-01-01T24:00:00Z', 'is not a date'],
    ['2021-01-01T00:00:00+24:00', 'is not a date'],
    ['2021-01-01T00:00:00', 'is not a date-time with an offset'],
    ['2021-01-01', 'is not a date-time with an offset'],
    ['yesterday', 'is not a date-time with an offset'],
    ['1899-12-31T23:59:59Z', 'is outside the years 1900 to 2199'],
    ['1900-01-01T00:00:00+01:00', 'is outside the years 1900 to 2199'],
    ['2200-01-01T00:00:00Z', 'is outside the years 1900 to 2199'],
  ])('refuses %s: "…" %s', (s, words) => {
    expect(dateProblem(s)).toBe(`"${s}" ${words}${words.endsWith('offset') ? ', such as 2020-06-16T18:30:00+09:00' : ''}`);
  });
  it('accepts every instant of the window as ISO 8601 UTC', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2199-12-31T23:59:59Z'), noInvalidDate: true }), (d) => {
        expect(dateProblem(d.toISOString())).toBeNull();
      }),
    );
  });
});

describe('names', () => {
  it.each([
    ['José Núñez', 'jose-nunez'],
    ['Libby  Hogan', 'libby-hogan'],
    ['  --Hello, World!--  ', 'hello-world'],
    ['李明', '李明'],
    ['김정은', '김정은'],
    ['हिन्दी', 'हिन्दी'],
    ['!!!', ''],
  ])('baseSlug(%s) = %s', (name, slug) => expect(baseSlug(name)).toBe(slug));

  it('every base and candidate slug is a readable name slug that fits a KV key', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        fc.constantFrom('tag', 'author', 'section' as const),
        fc.integer({ min: 1, max: 100_000 }),
        (name, kind, n) => {
          const base = baseSlug(name);
          expect(base === '' || NAME_SLUG.test(base), base).toBe(true);
          expect(encodeURIComponent(base).length).toBeLessThanOrEqual(150);
          const c = candidateSlug(base, kind, n);
          expect(NAME_SLUG.test(c), c).toBe(true);
          expect(encodeURIComponent(c).length).toBeLessThanOrEqual(150);
          expect(c.endsWith(n === 1 ? base || kind : `-${n}`)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
    expect([candidateSlug('li-ming', 'tag', 1), candidateSlug('li-ming', 'tag', 2), candidateSlug('', 'author', 3)]).toEqual([
      'li-ming',
      'li-ming-2',
      'author-3',
    ]);
  });

  it('nameKey makes spellings of one name equal and different names different', () => {
    expect(nameKey('Libby  Hogan')).toBe(nameKey(' libby hogan '));
    expect(nameKey('ﬁnance')).toBe(nameKey('Finance'));
    expect(nameKey('José')).not.toBe(nameKey('Jose'));
    expect(nameKey('李明')).not.toBe(nameKey('王芳'));
    // Tabs and line breaks are white space to XML; NFKC makes a no-break space a space; U+FEFF and
    // U+200B are neither, so they keep two names apart.
    expect(nameKey('Libby\t\nHogan')).toBe(nameKey('libby hogan'));
    expect(nameKey('Libby\u00A0Hogan')).toBe(nameKey('libby hogan'));
    expect(nameKey('Libby\uFEFFHogan')).not.toBe(nameKey('libby hogan'));
    expect(nameKey('Libby\u200BHogan')).not.toBe(nameKey('libby hogan'));
  });

  it('one-line fields fold runs of XML white space only; U+FEFF, no-break and zero-width spaces stay as sent', () => {
    const item = (title: string) =>
      v.parse(ItemInput, { slug: 'x', kind: 'article', title, summary: 's', published: '2020-01-01T00:00:00Z' });
    expect(item('word\uFEFFbom').title).toBe('word\uFEFFbom');
    expect(item('a \t\r\n  b\r\nc').title).toBe('a b c');
    for (const kept of ['\u00A0', '\u200B', '\u2028', '\u3000', '\u202F', '\u1680']) expect(item(`a${kept}b`).title).toBe(`a${kept}b`);
    expect(v.parse(ItemInput, { ...item('t'), authors: [{ name: 'Jane\uFEFF Doe' }], tags: ['a\uFEFF\tb'] })).toMatchObject({
      authors: [{ name: 'Jane\uFEFF Doe' }],
      tags: ['a\uFEFF b'],
    });
  });
});

describe('budgets', () => {
  it('fits counts UTF-8 bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 50 }), fc.nat(160), (s, b) => {
        expect(fits(s, b)).toBe(utf8(s) <= b);
      }),
    );
    expect([fits('€', 3), fits('€', 2), fits('😀', 4), fits('😀', 3)]).toEqual([true, false, true, false]);
  });

  it('renderWithin keeps everything when it fits, else full detail for as many newest entries as fit, then summaries', () => {
    // Entry k costs 10 bytes in full, 3 as a summary, 1 as a title.
    const render = (n: number) => (full: number, lean: number) =>
      'F'.repeat(full * 10) + 'S'.repeat((lean - full) * 3) + 'T'.repeat(n - lean);
    fc.assert(
      fc.property(fc.nat(40), fc.nat(500), (n, budget) => {
        const out = renderWithin(n, render(n), budget);
        const full = (out.match(/F/g) ?? []).length / 10;
        const lean = full + (out.match(/S/g) ?? []).length / 3;
        if (n <= budget) expect(out.length).toBeLessThanOrEqual(budget);
        else expect(out).toBe('T'.repeat(n));
        if (lean === n && full < n) expect(render(n)(full + 1, n).length).toBeGreaterThan(budget);
        if (lean < n && n <= budget) expect(render(n)(0, lean + 1).length).toBeGreaterThan(budget);
      }),
      { numRuns: 300 },
    );
  });
});

describe('hashes', () => {
  it('canonical sorts object keys at every depth and keeps array order', () => {
    expect(canonical({ b: 1, a: { d: [2, 1], c: 'x' } })).toBe('{"a":{"c":"x","d":[2,1]},"b":1}');
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const shuffled = JSON.parse(
          JSON.stringify(value, (_k, x) =>
            x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).reverse()) : x,
          ),
        );
        expect(canonical(shuffled)).toBe(canonical(value));
      }),
    );
  });

  it('contentHash is the first 32 hex digits of SHA-256 of the canonical JSON', async () => {
    expect(await contentHash({})).toBe('44136fa355b3678a1146ad16f7e8649e');
    expect(await contentHash({ b: 2, a: 1 })).toBe(await contentHash({ a: 1, b: 2 }));
    expect(await contentHash({ a: 1 })).not.toBe(await contentHash({ a: '1' }));
  });

  it('quickHash is 16 hex digits, stable, and tells near strings apart', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(quickHash(s)).toMatch(/^[0-9a-f]{16}$/);
      }),
    );
    expect(quickHash('héllo')).toBe(quickHash('héllo'));
    const seen = new Set(Array.from({ length: 2000 }, (_, i) => quickHash(`item-${i}`)));
    expect(seen.size).toBe(2000);
  });
});

describe('problemOf', () => {
  const problems = (body: unknown) => {
    const r = v.safeParse(ItemInput, body);
    expect(r.success).toBe(false);
    return (r.issues ?? []).map((i) => problemOf(i));
  };
  const base = { slug: 'a', kind: 'article', title: 'T', summary: 'S', published: '2021-01-01T00:00:00Z' };

  it('says a missing field is required, an unknown one is not accepted, a mistyped one what it got', () => {
    const { title: _t, ...untitled } = base;
    expect(problems(untitled)).toContainEqual({ field: 'title', message: 'is required' });
    expect(problems({ ...base, seq: 1 })).toContainEqual({ field: 'seq', message: 'is not a field this accepts; leave it out' });
    expect(problems({ ...base, title: 42 })).toContainEqual({ field: 'title', message: 'must be text (got a number)' });
    expect(problems({ ...base, authors: [{ name: 'A' }, {}] })).toContainEqual({ field: 'authors[1].name', message: 'is required' });
    expect(problems({ ...base, published: '2021-02-30T00:00:00Z' })).toContainEqual({
      field: 'published',
      message: '"2021-02-30T00:00:00Z" is not a date',
    });
    expect(problemOf(v.safeParse(ItemInput, { ...base, tags: 'x' }).issues![0]!, 'items[3]')).toEqual({
      field: 'items[3].tags',
      message: 'must be a list (got text)',
    });
  });
});
