// The one schema: it checks API bodies, content/ files and every record read back from storage.
import * as v from 'valibot';

// XML 1.0 allows only these code points; anything else would make a feed ill-formed.
const XML_FORBIDDEN = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Removes the characters XML 1.0 forbids (control characters, lone surrogates, U+FFFE/FFFF). */
export function stripXmlForbidden(s: string): string {
  return s.replace(XML_FORBIDDEN, '');
}

const cleanString = v.pipe(v.string('must be a string'), v.transform(stripXmlForbidden), v.trim());

const text = (max: number) =>
  v.pipe(cleanString, v.nonEmpty('must not be empty'), v.maxLength(max, `must be at most ${max} characters`));

export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

const slug = v.pipe(
  v.string('must be a string'),
  v.regex(SLUG_PATTERN, 'must be lowercase letters, digits and single hyphens'),
  v.maxLength(120, 'must be at most 120 characters'),
);

const OFFSET_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

// Date.parse rolls 30 February over into March; a calendar check does not.
function isRealDate(s: string): boolean {
  const [y, mo, d, h, mi, sec] = s.split(/[-T:.+Z]/).map(Number) as number[];
  const days = new Date(Date.UTC(y ?? 0, mo ?? 0, 0)).getUTCDate();
  return (mo ?? 0) >= 1 && (mo ?? 0) <= 12 && (d ?? 0) >= 1 && (d ?? 0) <= days && (h ?? 0) < 24 && (mi ?? 0) < 60 && (sec || 0) < 60 && !Number.isNaN(Date.parse(s));
}

const dateTime = v.pipe(
  v.string('must be a string'),
  v.regex(OFFSET_DATE_TIME, 'must be an ISO 8601 date-time with an offset, e.g. 2020-06-16T18:30:00+09:00'),
  v.check(isRealDate, 'is not a real date'),
);

/** True for absolute http(s) URLs and for site-relative paths ("/media/x.mp4"). */
export function isSafeUrl(s: string): boolean {
  if (s.startsWith('/')) return !s.startsWith('//') && !/[\s\\]/.test(s);
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

const url = v.pipe(
  v.string('must be a string'),
  v.maxLength(2048, 'must be at most 2048 characters'),
  v.check(isSafeUrl, 'must be an http(s) URL or a path starting with /'),
);

const dimension = v.pipe(v.number('must be a number'), v.integer('must be an integer'), v.minValue(1), v.maxValue(16384));
const count = v.pipe(v.number('must be a number'), v.integer('must be an integer'), v.minValue(0));

const language = v.pipe(
  v.string('must be a string'),
  v.regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, 'must be a BCP 47 language tag such as en or pt-BR'),
);

const Author = v.strictObject({ name: text(120), url: v.optional(url) });

const Image = v.strictObject({ url, width: dimension, height: dimension, alt: text(500) });

const Video = v.strictObject({
  url,
  type: v.pipe(v.string('must be a string'), v.regex(/^video\/[a-z0-9.+-]+$/, 'must be a video/* MIME type')),
  size: v.pipe(count, v.minValue(1, 'must be the file size in bytes')),
  duration: v.pipe(v.number('must be a number'), v.minValue(1), v.maxValue(86_400)),
  width: dimension,
  height: dimension,
});

const Caption = v.strictObject({ url, language, label: text(80) });

const ID_PATTERN = /^(tag:[a-z0-9.-]+,\d{4}(-\d{2}(-\d{2})?)?:[\x21-\x7e]+|urn:uuid:[0-9a-f-]{36})$/;

const itemEntries = {
  /** Permanent id; assigned at first publish when absent. Giving an existing id under a new slug renames. */
  id: v.optional(v.pipe(v.string(), v.regex(ID_PATTERN, 'must be a tag: URI or urn:uuid'))),
  slug,
  kind: v.picklist(['video', 'article'], 'must be "video" or "article"'),
  title: text(300),
  summary: text(2000),
  body: v.pipe(cleanString, v.maxLength(200_000, 'must be at most 200000 characters')),
  published: dateTime,
  updated: v.optional(dateTime),
  language,
  section: v.optional(text(80)),
  authors: v.pipe(v.array(Author, 'must be a list'), v.minLength(1, 'needs at least one author'), v.maxLength(20)),
  tags: v.pipe(v.array(slug, 'must be a list'), v.maxLength(30, 'at most 30 tags')),
  image: v.optional(Image),
  video: v.optional(Video),
  captions: v.optional(v.pipe(v.array(Caption, 'must be a list'), v.maxLength(20))),
  transcript: v.optional(v.pipe(cleanString, v.maxLength(100_000))),
  stats: v.optional(v.strictObject({ views: count, shares: count })),
};

type Entries = v.InferOutput<v.StrictObjectSchema<typeof itemEntries, undefined>>;

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
      v.check((i: T) => i.kind !== 'article' || (i.video === undefined && i.captions === undefined), 'is only for video items'),
      ['video'] as never,
    ),
    v.forward(
      v.check((i: T) => !i.updated || Date.parse(i.updated) >= Date.parse(i.published), 'must not be before published'),
      ['updated'] as never,
    ),
  );

/** What the newsroom sends: the API body and each content/ file (front matter plus `body`). */
export const ItemInput = kindRules(v.strictObject(itemEntries));
export type ItemInput = v.InferOutput<typeof ItemInput>;

/** What the writer stores: the input plus its permanent id, feed sequence and rendered body. */
export const ItemRecord = kindRules(
  v.strictObject({
    ...itemEntries,
    id: v.pipe(v.string(), v.regex(ID_PATTERN)),
    seq: v.pipe(count, v.minValue(1)),
    bodyHtml: v.string(),
  }),
);
export type ItemRecord = v.InferOutput<typeof ItemRecord>;

/** Site settings from content/site.yaml. */
export const SiteSettings = v.strictObject({
  title: text(200),
  description: text(1000),
  language,
  author: text(200),
  copyright: v.optional(text(200)),
});
export type SiteSettings = v.InferOutput<typeof SiteSettings>;

/** Site settings as rendered: the settings plus the deployment's URLs and page size. */
export const Site = v.strictObject({
  ...SiteSettings.entries,
  url: v.string(),
  hub: v.optional(v.string()),
  pageSize: v.pipe(v.number(), v.integer(), v.minValue(1)),
});
export type Site = v.InferOutput<typeof Site>;

/** An item as stored in KV for the oEmbed provider: the record and the site it was rendered for. */
export const StoredItem = v.strictObject({ item: ItemRecord, site: Site });

/** Names the first failing field the way a client wrote it, e.g. `authors[0].name`. */
export function issuePath(issue: v.BaseIssue<unknown>): string {
  return (issue.path ?? [])
    .map((p, i) => (typeof p.key === 'number' ? `[${p.key}]` : `${i ? '.' : ''}${String(p.key)}`))
    .join('');
}
