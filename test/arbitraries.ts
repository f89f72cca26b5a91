// Shared fast-check arbitraries (schema-valid items with arbitrary Unicode, URLs, dates) and a strict XML reading.
import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import * as v from 'valibot';
import { nameKey } from '../src/model/names';
import { ItemInput, stripXmlForbidden } from '../src/model/schema';

/** Fragments that have broken feeds before: entities, CDATA ends, markup, controls, bidi marks, astral characters. */
export const TRICKY = [
  '&amp;',
  '&lt;',
  '&gt;',
  '&#38;',
  '&copy;',
  ']]>',
  '<![CDATA[',
  '"',
  "'",
  '<b>',
  '<img src=x onerror=alert(1)>',
  '\r\n',
  '\r',
  '\t',
  '\n',
  '\u0000',
  '\u0001',
  '\u001f',
  '\uFFFE',
  '\uFFFF',
  '\u202E',
  '\u200F',
  '\u2028',
  '\u00A0',
  '😀',
  '𝒜',
  '李明',
  'e\u0301',
  '-',
  '/',
];

/** Arbitrary text: any code point, any grapheme, and the tricky fragments, joined. */
export const anyText = (maxParts = 6): fc.Arbitrary<string> =>
  fc
    .array(
      fc.oneof(fc.string({ unit: 'binary', maxLength: 6 }), fc.string({ unit: 'grapheme', maxLength: 6 }), fc.constantFrom(...TRICKY)),
      {
        minLength: 1,
        maxLength: maxParts,
      },
    )
    .map((parts) => parts.join(''));

/** What the schema keeps of prose (a summary, a description): XML-forbidden characters stripped, line breaks as LF, trimmed. */
export const cleanedProse = (s: string): string => stripXmlForbidden(s).replace(/\r\n?/g, '\n').trim();

/** What the schema keeps of a one-line field (a title, a name, a tag): as prose, and any run of XML white space one space. */
export const cleaned = (s: string): string => cleanedProse(s).replace(/[ \t\n\r]+/g, ' ');

/** Text a required field of at most `max` characters accepts (something is left once cleaned). */
export const fieldText = (max: number, maxParts = 6): fc.Arbitrary<string> =>
  anyText(maxParts).filter((s) => cleaned(s).length > 0 && cleaned(s).length <= max);

/** Names that differ by their key (NFKC, case, spacing), so each is a different author or tag. */
export const distinctNames = (min: number, max: number, maxLen = 60): fc.Arbitrary<string[]> =>
  fc.uniqueArray(fieldText(maxLen, 4), { minLength: min, maxLength: max, selector: (s) => nameKey(cleaned(s)) });

const PATH_PARTS = ['a', 'z', '0', '-', '_', '.', '~', '%20', 'ü', '李', '/', 'about', 'x.mp4'];

/** A site-relative path such as "/about" or "/media/ü.mp4" (never "//", which would name a host). */
export const siteRelativeUrl: fc.Arbitrary<string> = fc
  .array(fc.constantFrom(...PATH_PARTS), { maxLength: 8 })
  .map((p) => `/${p.join('')}`.replace(/^\/+/, '/'));

/** An absolute http(s) URL or a site-relative path. */
export const anyUrl: fc.Arbitrary<string> = fc.oneof(
  siteRelativeUrl,
  fc.webUrl({ validSchemes: ['http', 'https'], withQueryParameters: true, withFragments: true }).filter((u) => u.length <= 2048),
);

const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');

/** The instant `ms` as RFC 3339 in the given offset (minutes east of UTC), e.g. 2020-06-16T18:30:00.123+09:00. */
export function rfc3339(ms: number, offsetMinutes: number): string {
  const local = new Date(ms + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const frac = local.getUTCMilliseconds() ? `.${pad(local.getUTCMilliseconds(), 3)}` : '';
  return (
    `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}${frac}` +
    `${sign}${pad(Math.floor(Math.abs(offsetMinutes) / 60))}:${pad(Math.abs(offsetMinutes) % 60)}`
  );
}

export const EARLIEST = Date.UTC(1900, 0, 1);
export const LATEST = Date.UTC(2200, 0, 1) - 1;
/** Offsets the schema accepts: within ±23:59. */
export const anyOffset = fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 });

/** An instant in [min, max] written in an arbitrary offset. */
export const dateIn = (min: number, max: number): fc.Arbitrary<{ ms: number; text: string }> =>
  fc.tuple(fc.integer({ min, max }), anyOffset).map(([ms, off]) => ({ ms, text: rfc3339(ms, off) }));

/** A published date safely in the past (an item published now, not scheduled). */
export const pastDate = () => dateIn(EARLIEST, Date.now() - 86_400_000);

const dimension = fc.integer({ min: 1, max: 16384 });
const image = fc.record({ url: anyUrl, width: dimension, height: dimension, alt: fieldText(500) });
const video = fc.record({
  url: anyUrl,
  type: fc.constantFrom('video/mp4', 'video/webm', 'video/x-matroska'),
  size: fc.integer({ min: 1, max: 2 ** 40 }),
  duration: fc.oneof(fc.integer({ min: 1, max: 86_400 }), fc.double({ min: 1, max: 86_400, noNaN: true })),
  width: dimension,
  height: dimension,
});
const caption = fc.record({ url: anyUrl, language: fc.constantFrom('en', 'ko', 'pt-BR', 'ar'), label: fieldText(80) });
const author = fc.record({ name: fieldText(120, 4), url: anyUrl }, { requiredKeys: ['name'] });
const markdown = fc
  .array(
    fc.oneof(
      anyText(3),
      fc.constantFrom(
        '\n\n',
        '**b**',
        '[l](/x)',
        '[l](javascript:alert(1))',
        '![i](http://e.example/i.png)',
        '<script>x</script>',
        '# h\n',
        '* li\n',
        '`c`',
      ),
    ),
    {
      maxLength: 8,
    },
  )
  .map((p) => p.join(''));

/** Fields every item shares, each optional one present or not. */
const common = {
  title: fieldText(300),
  summary: fieldText(2000, 8),
  body: markdown,
  language: fc.constantFrom('en', 'ko', 'pt-BR', 'ar', 'hi'),
  section: fieldText(80, 3),
  authors: fc.array(author, { minLength: 1, maxLength: 3 }),
  tags: fc.array(fieldText(60, 3), { maxLength: 4 }),
  transcript: anyText(8),
  stats: fc.record({ views: fc.nat(), shares: fc.nat() }),
};
const optional = ['body', 'language', 'section', 'authors', 'tags', 'transcript', 'stats'] as const;

/**
 * A schema-valid item without its slug (and id): an article or a video, every optional field
 * present or not, arbitrary Unicode in every text field, published in the past.
 */
export const anyItem: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.oneof(
      fc.record({ kind: fc.constant('article'), image, ...common }, { requiredKeys: ['kind', 'title', 'summary'] }),
      fc.record(
        { kind: fc.constant('video'), image, video, captions: fc.array(caption, { maxLength: 2 }), ...common },
        {
          requiredKeys: ['kind', 'title', 'summary', 'image', 'video'],
        },
      ),
    ),
    pastDate(),
  )
  .map(([item, published]) => {
    const out: Record<string, unknown> = { ...item, published: published.text };
    for (const k of optional) if (out[k] === undefined) delete out[k];
    return out;
  })
  .filter((item) => v.safeParse(ItemInput, { ...item, slug: 'x' }).success);

/** What the schema makes of an item: the values every output must carry. */
export const normalised = (item: Record<string, unknown>) => v.parse(ItemInput, item);

/** XML 1.0 forbids these anywhere in a document. */
export const XML_FORBIDDEN = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

const strict = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  // Exact text: no trimming, and character references (&#13;) read as the characters they stand for.
  trimValues: false,
  htmlEntities: true,
  isArray: (name) => ['item', 'entry', 'link', 'atom:link', 'category', 'author', 'dc:creator', 'media:credit'].includes(name),
});

/**
 * Reads XML as a conformant parser does: fails on anything not well-formed, applies end-of-line
 * handling (XML 1.0 §2.11: CR LF and lone CR become LF, inside CDATA too) and attribute-value
 * normalisation (§3.3.3: a literal tab or newline in an attribute reads as a space), which
 * fast-xml-parser leaves out.
 */
export function parseStrictXml(raw: string): any {
  const valid = XMLValidator.validate(raw);
  if (valid !== true) throw new Error(`not well-formed XML: ${JSON.stringify(valid.err)}`);
  if (XML_FORBIDDEN.test(raw)) throw new Error('holds a character XML 1.0 forbids');
  const eol = raw.replace(/\r\n?/g, '\n');
  const normalised = eol.replace(/<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<[^<>]*>/g, (m) =>
    m.startsWith('<![CDATA[') || m.startsWith('<!--') || m.startsWith('<?') ? m : m.replace(/[\t\n]/g, ' '),
  );
  return strict.parse(normalised);
}

/** The text of a parsed element, whether it came with attributes or not. */
export const textOf = (node: unknown): string =>
  typeof node === 'string' ? node : node && typeof node === 'object' ? String((node as Record<string, unknown>)['#text'] ?? '') : '';
