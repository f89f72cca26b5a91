// Partners and an item's rights: the schemas the API checks them with, and the cross-checks a schema alone cannot make.
import * as v from 'valibot';
import { dateTime } from './dates';
import { LIMITS, SLUG_PATTERN } from './limits';
import type { FieldProblem } from './messages';

/** The document families a partner can receive, one renderer each. */
export const PROFILES = ['rss', 'msn', 'smartnews', 'flipboard', 'newsbreak', 'ninjs'] as const;
export type Profile = (typeof PROFILES)[number];

/** Profiles delivered as one RSS document (`/partners/:id/feed.xml`); ninjs is JSON, per item and paged. */
export const RSS_PROFILES: readonly Profile[] = ['rss', 'msn', 'smartnews', 'flipboard', 'newsbreak'];

const string = () => v.string('must be text');
const oneLine = (max: number) =>
  v.pipe(
    string(),
    v.transform((s) => s.replace(/\s+/g, ' ').trim()),
    v.nonEmpty('must not be empty'),
    v.maxLength(max, `must be at most ${max} characters`),
  );
const prose = (max: number) =>
  v.pipe(
    string(),
    v.transform((s) => s.replace(/\r\n?/g, '\n').trim()),
    v.nonEmpty('must not be empty'),
    v.maxLength(max, `must be at most ${max} characters`),
  );

/** A partner id, in the item slug pattern: it names the partner in URLs and in `rights`. */
export const PartnerId = v.pipe(
  string(),
  v.maxLength(LIMITS.slug, `must be at most ${LIMITS.slug} characters`),
  v.regex(SLUG_PATTERN, 'must be lowercase letters a-z, digits and single hyphens, such as "msn-start"'),
);

const list = (max: number, what: string) =>
  v.pipe(
    v.array(oneLine(LIMITS.section), 'must be a list'),
    v.minLength(1, 'must name at least one, or be left out'),
    v.maxLength(max, `must hold at most ${max} ${what}`),
  );

/** What a partner receives: every filter given must match, any value within one (names compare case-insensitively). */
export const PartnerScope = v.strictObject(
  {
    kinds: v.optional(
      v.pipe(
        v.array(v.picklist(['video', 'article'], 'must be "video" or "article"'), 'must be a list'),
        v.minLength(1, 'must name at least one, or be left out'),
      ),
    ),
    sections: v.optional(list(50, 'sections')),
    tags: v.optional(list(LIMITS.tags * 10, 'tags')),
  },
  'must be an object with kinds, sections or tags',
);
export type PartnerScope = v.InferOutput<typeof PartnerScope>;

/** The body of PUT /api/partners/:id. */
export const PartnerInput = v.strictObject(
  {
    name: oneLine(LIMITS.name),
    profile: v.picklist(PROFILES, `must be one of ${PROFILES.map((p) => `"${p}"`).join(', ')}`),
    scope: v.optional(PartnerScope),
    content: v.optional(v.picklist(['full', 'summary'], 'must be "full" or "summary"'), 'full'),
  },
  'must be a JSON object',
);
export type PartnerInput = v.InferOutput<typeof PartnerInput>;

/** A stored partner: its input with the id it is filed under. */
export interface Partner extends PartnerInput {
  id: string;
}

/** `*` or a partner id: who an embargo applies to. */
const EmbargoKey = v.union([v.literal('*'), PartnerId], 'must be "*" or a partner id');

/**
 * An item's rights (the lead adds `rights: v.optional(Rights)` to the item's entries). Default: every
 * partner, no embargo, no expiry.
 */
export const Rights = v.strictObject(
  {
    syndication: v.optional(
      v.union(
        [
          v.picklist(['all', 'none']),
          v.pipe(v.array(PartnerId, 'must be a list of partner ids'), v.maxLength(100, 'must name at most 100 partners')),
        ],
        'must be "all", "none" or a list of partner ids',
      ),
    ),
    embargo: v.optional(
      v.pipe(
        v.record(EmbargoKey, dateTime, 'must be an object of partner ids (or "*") and times'),
        v.check((o) => Object.keys(o).length <= 100, 'must name at most 100 partners'),
      ),
    ),
    expires: v.optional(dateTime),
    usage_terms: v.optional(prose(2000)),
    credit: v.optional(oneLine(300)),
  },
  'must be an object with syndication, embargo, expires, usage_terms or credit',
);
export type Rights = v.InferOutput<typeof Rights>;

/** `image.syndication`: false keeps the picture out of every partner document (the lead adds it to Image). */
export const imageSyndication = v.optional(v.boolean('must be true or false'));

/**
 * What the schema cannot see: partners named in `syndication` or `embargo` that do not exist, and an
 * expiry at or before the item's `published`. Fields are named as the client wrote them, e.g.
 * `rights.embargo.msn-start`.
 */
export function rightsProblems(rights: Rights | undefined, published: string, partnerIds: ReadonlySet<string>): FieldProblem[] {
  if (!rights) return [];
  const out: FieldProblem[] = [];
  if (Array.isArray(rights.syndication)) {
    rights.syndication.forEach((id, i) => {
      if (!partnerIds.has(id)) out.push({ field: `rights.syndication[${i}]`, message: `names "${id}", which is not a partner` });
    });
  }
  for (const id of Object.keys(rights.embargo ?? {})) {
    if (id !== '*' && !partnerIds.has(id)) out.push({ field: `rights.embargo.${id}`, message: `names "${id}", which is not a partner` });
  }
  if (rights.expires && Date.parse(rights.expires) <= Date.parse(published)) {
    out.push({ field: 'rights.expires', message: `must be after published (${published})` });
  }
  return out;
}
