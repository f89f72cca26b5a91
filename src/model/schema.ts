// The one schema: it checks API bodies, content/ files and every record read back from storage.
import * as v from 'valibot';
import { podcastCategory } from './podcast-categories';
import { dateTime } from './dates';
import { LIMITS, SLUG_PATTERN } from './limits';
import { imageSyndication, Rights } from './partner';

// XML 1.0 allows only these code points; anything else would make a feed ill-formed.
const XML_FORBIDDEN = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Removes the characters XML 1.0 forbids (control characters, lone surrogates, U+FFFE/FFFF). */
export function stripXmlForbidden(s: string): string {
  return s.replace(XML_FORBIDDEN, '');
}

const string = () => v.string('must be text');
// Every XML parser reads CR LF as LF (and tabs and line breaks in attributes as spaces), so text is
// stored the way it will be read back: line breaks as LF, and none at all in one-line fields, where
// each run of XML white space is one space.
const cleanString = v.pipe(
  string(),
  v.transform((s) => stripXmlForbidden(s).replace(/\r\n?/g, '\n')),
  v.trim(),
);
/**
 * XML's white space (space, tab, line feed, carriage return): the only characters a one-line field
 * folds. No-break, ideographic and zero-width spaces and U+FEFF are text and stay as sent (JavaScript's
 * `\s` would take them for spaces).
 */
export const XML_SPACE_RUN = /[ \t\n\r]+/g;

const oneLine = v.pipe(
  cleanString,
  v.transform((s) => s.replace(XML_SPACE_RUN, ' ')),
);

const bounded = <T extends v.GenericSchema<string, string>>(base: T, max: number) =>
  v.pipe(base, v.nonEmpty('must not be empty'), v.maxLength(max, `must be at most ${max} characters`));
/** One line of plain text: a title, a name, a tag. */
const text = (max: number) => bounded(oneLine, max);
/** Plain text that may hold line breaks: a summary, a description. */
const prose = (max: number) => bounded(cleanString, max);

export { SLUG_PATTERN };

const slug = v.pipe(
  string(),
  v.maxLength(LIMITS.slug, `must be at most ${LIMITS.slug} characters`),
  v.regex(SLUG_PATTERN, 'must be lowercase letters a-z, digits and single hyphens, such as "harbour-drill"'),
);

// Anything a parser or a browser could read as something else: controls, spaces, quotes, angle brackets.
const URL_UNSAFE = /[\u0000-\u0020\u007f-\u009f"<>\\^`{|}\uFFFE\uFFFF\uD800-\uDFFF]/;

/** True for absolute http(s) URLs and for site-relative paths ("/media/x.mp4") without unsafe characters. */
export function isSafeUrl(s: string): boolean {
  if (URL_UNSAFE.test(s)) return false;
  if (s.startsWith('/')) return !s.startsWith('//');
  try {
    const u = new URL(s);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname !== '';
  } catch {
    return false;
  }
}

const url = v.pipe(
  string(),
  v.maxLength(LIMITS.url, `must be at most ${LIMITS.url} characters`),
  v.check(isSafeUrl, 'must be an http(s) URL or a path on this site starting with /, without spaces or control characters'),
);

const integer = (min: number, max: number, what = 'a whole number') =>
  v.pipe(
    v.number(`must be ${what}`),
    v.integer(`must be ${what}`),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );
const dimension = integer(1, 16384, 'a whole number of pixels');
const count = integer(0, Number.MAX_SAFE_INTEGER);

const language = v.pipe(
  string(),
  v.regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8}){0,4}$/, 'must be a BCP 47 language tag such as en, ko or pt-BR'),
);

const list = <T extends v.GenericSchema>(item: T, max: number, what: string) =>
  v.pipe(v.array(item, 'must be a list'), v.maxLength(max, `must hold at most ${max} ${what}`));

const Author = v.strictObject({ name: text(LIMITS.name), url: v.optional(url) }, 'must be an object with a name');
const Image = v.strictObject(
  { url, width: dimension, height: dimension, alt: text(LIMITS.alt), syndication: imageSyndication },
  'must be an object with url, width, height and alt',
);
const Video = v.strictObject(
  {
    url,
    type: v.pipe(string(), v.regex(/^video\/[a-z0-9.+-]+$/, 'must be a video MIME type such as video/mp4')),
    size: integer(1, Number.MAX_SAFE_INTEGER, 'the file size in bytes'),
    duration: v.pipe(
      v.number('must be a number of seconds'),
      v.minValue(1, 'must be at least 1 second'),
      v.maxValue(86_400, 'must be at most 86400 seconds'),
    ),
    width: dimension,
    height: dimension,
  },
  'must be an object with url, type, size, duration, width and height',
);
const Caption = v.strictObject({ url, language, label: text(LIMITS.captionLabel) }, 'must be an object with url, language and label');

// The characters of RFC 3986 URIs only, so the id is the same string in every format (a URL parser,
// such as the one under `feed`, would percent-encode others).
const ID_PATTERN =
  /^(tag:[a-z0-9.-]+,\d{4}(-\d{2}(-\d{2})?)?:([A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+|urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const id = v.pipe(string(), v.maxLength(300, 'must be at most 300 characters'), v.regex(ID_PATTERN, 'must be a tag: URI or a urn:uuid'));

/** Fields an item has, as the newsroom sends them; language, authors and tags may be left to the site. */
const itemEntries = {
  /** Permanent id; assigned at first publish when absent. Giving an existing id under a new slug renames. */
  id: v.optional(id),
  slug,
  kind: v.picklist(['video', 'article'], 'must be "video" or "article"'),
  title: text(LIMITS.title),
  summary: prose(LIMITS.summary),
  body: v.optional(v.pipe(cleanString, v.maxLength(LIMITS.body, `must be at most ${LIMITS.body} characters`)), ''),
  published: dateTime,
  updated: v.optional(dateTime),
  language: v.optional(language),
  section: v.optional(text(LIMITS.section)),
  authors: v.optional(v.pipe(list(Author, LIMITS.authors, 'authors'), v.minLength(1, 'must name at least one author, or be left out'))),
  tags: v.optional(list(text(LIMITS.tag), LIMITS.tags, 'tags')),
  image: v.optional(Image),
  video: v.optional(Video),
  captions: v.optional(list(Caption, LIMITS.captions, 'caption tracks')),
  transcript: v.optional(v.pipe(cleanString, v.maxLength(LIMITS.transcript, `must be at most ${LIMITS.transcript} characters`))),
  stats: v.optional(v.strictObject({ views: count, shares: count }, 'must be an object with views and shares')),
  /** Who among the partners may receive it, and when (the public documents ignore it). */
  rights: v.optional(Rights),
};

type Entries = { kind: string; video?: unknown; image?: unknown; captions?: unknown; published: string; updated?: string };

const kindRules = <T extends Entries>(schema: v.GenericSchema<unknown, T>) =>
  v.pipe(
    schema,
    v.forward(
      v.check((i: T) => i.kind !== 'video' || i.video !== undefined, 'is required for a video item'),
      ['video'] as never,
    ),
    v.forward(
      v.check((i: T) => i.kind !== 'video' || i.image !== undefined, 'is required for a video item (the poster)'),
      ['image'] as never,
    ),
    v.forward(
      v.check((i: T) => i.kind !== 'article' || i.video === undefined, 'is only for video items'),
      ['video'] as never,
    ),
    v.forward(
      v.check((i: T) => i.kind !== 'article' || i.captions === undefined, 'are only for video items'),
      ['captions'] as never,
    ),
    v.forward(
      v.check((i: T) => !i.updated || Date.parse(i.updated) >= Date.parse(i.published), 'must not be before published'),
      ['updated'] as never,
    ),
  );

/** What the newsroom sends: the API body and each content/ file (front matter plus `body`). */
export const ItemInput = kindRules(v.strictObject(itemEntries, 'must be a JSON object'));
export type ItemInput = v.InferOutput<typeof ItemInput>;

/** Slugs the writer gave the item's names, in the order of its authors and tags. */
const Refs = v.strictObject({
  authors: v.array(v.string()),
  tags: v.array(v.string()),
  section: v.optional(v.string()),
});

/** What the writer stores and renders: the input with the site's defaults filled in, plus its own facts. */
export const ItemRecord = kindRules(
  v.strictObject({
    ...itemEntries,
    id,
    body: v.string(),
    language,
    authors: v.pipe(v.array(Author), v.minLength(1)),
    tags: v.array(text(LIMITS.tag)),
    seq: v.pipe(count, v.minValue(1)),
    bodyHtml: v.string(),
    refs: Refs,
  }),
);
export type ItemRecord = v.InferOutput<typeof ItemRecord>;

/** Site settings from content/site.yaml (PUT /api/site). */
export const SiteSettings = v.strictObject(
  {
    title: text(200),
    description: prose(1000),
    language,
    author: text(LIMITS.name),
    copyright: v.optional(text(200)),
    /** The edition label shown beside the site's name, e.g. "Global Edition". */
    edition: v.optional(text(80)),
    /** Contact for podcast directories (itunes:owner). */
    email: v.optional(v.pipe(string(), v.maxLength(200, 'must be at most 200 characters'), v.email('must be an email address'))),
    /** Square artwork, at least 1400 px: podcast image, feed logo, JSON Feed icon. */
    logo: v.optional(url),
    /** Small square icon: favicon, Atom icon, JSON Feed favicon. */
    icon: v.optional(url),
    /** Apple Podcasts category of the video podcast: "News", or with a subcategory "News > Politics". */
    category: v.optional(
      v.pipe(
        text(80),
        v.check((c) => podcastCategory(c) !== null, 'must be an Apple Podcasts category, e.g. "News" or "News > Politics"'),
      ),
    ),
  },
  'must be a JSON object',
);
export type SiteSettings = v.InferOutput<typeof SiteSettings>;

/** Site settings as rendered: the settings plus the deployment's URLs and page size. */
export const Site = v.strictObject({
  ...SiteSettings.entries,
  url: v.string(),
  hub: v.optional(v.string()),
  pageSize: v.pipe(v.number(), v.integer(), v.minValue(1)),
});
export type Site = v.InferOutput<typeof Site>;

/** What the oEmbed provider reads from KV: an item's record and its site, or where a renamed item went. */
export const StoredItem = v.union([v.strictObject({ item: ItemRecord, site: Site }), v.strictObject({ movedTo: slug })]);
export type StoredItem = v.InferOutput<typeof StoredItem>;
