// An item's counts as readers see them: the numbers it shows, pluralised, and what JSON-LD and the video sitemap carry.
import type { ItemRecord } from '../model/schema';

/**
 * The live metrics an item shows, each an `item` series of the audience store: views of its page by
 * people, shares from its page, plays of its player in embeds. The one list the rollup sums and the
 * writer applies.
 */
export const LIVE_METRICS = ['views', 'shares', 'plays'] as const;
export type LiveMetric = (typeof LIVE_METRICS)[number];

/** An item's all-time counts, one number per live metric. */
export type Counts = Record<LiveMetric, number>;

/** One item address (the slug it was counted under) and its totals as the rollup has them; a metric nothing has counted yet is absent. */
export type ItemTotals = { slug: string } & Partial<Counts>;

/**
 * What an item shows: the newsroom's `stats` (numbers from before wirefeed counted, as an import
 * carries them) plus what wirefeed measured (`live`, as the writer last applied it); null with
 * neither, so such an item renders exactly as it always did.
 */
export function shownCounts(item: ItemRecord, live: Counts | null): Counts | null {
  if (!item.stats && !live) return null;
  return {
    views: (item.stats?.views ?? 0) + (live?.views ?? 0),
    shares: (item.stats?.shares ?? 0) + (live?.shares ?? 0),
    plays: live?.plays ?? 0,
  };
}

/**
 * How many times a video was seen, for JSON-LD's WatchAction and the sitemap's `view_count` ("the
 * number of times the video has been viewed"): views of its page and plays of it embedded elsewhere.
 */
export const watched = (c: Counts): number => c.views + c.plays;

type Words = Record<keyof Counts, Partial<Record<Intl.LDMLPluralRule, string>> & { other: string }>;

// The page's other words are English, so the counts are too; a language added here is used (with its
// own plural rules and digits) when it is the site's.
const WORDS: Record<string, Words> = {
  en: { views: { one: 'view', other: 'views' }, shares: { one: 'share', other: 'shares' }, plays: { one: 'play', other: 'plays' } },
};

interface Speaker {
  words: Words;
  plural: Intl.PluralRules;
  number: Intl.NumberFormat;
}

// Intl objects are costly to make and a rebuild renders every page: one per language.
const speakers = new Map<string, Speaker>();

function speaker(language: string): Speaker {
  const base = language.toLowerCase().split('-')[0] ?? '';
  const locale = base in WORDS ? base : 'en';
  let s = speakers.get(locale);
  if (!s) {
    s = { words: WORDS[locale] as Words, plural: new Intl.PluralRules(locale), number: new Intl.NumberFormat(locale) };
    speakers.set(locale, s);
  }
  return s;
}

/** `n` with its word, pluralised by the rules of the language the words are in ("1 view", "1,000 views"). */
export function countText(n: number, what: keyof Counts, language: string): string {
  const s = speaker(language);
  const forms = s.words[what];
  return `${s.number.format(n)} ${forms[s.plural.select(n)] ?? forms.other}`;
}

/**
 * The counts as the byline shows them, in the seed's order: shares and views always (the seed shows
 * "0 shares 1 views": a zero invites the first share), plays only once a video has been played.
 */
export function countsLine(c: Counts, language: string): string {
  const parts = [countText(c.shares, 'shares', language), countText(c.views, 'views', language)];
  if (c.plays > 0) parts.push(countText(c.plays, 'plays', language));
  return parts.join(' · ');
}

const counter = (action: string, n: number) => ({
  '@type': 'InteractionCounter',
  interactionType: { '@type': action },
  userInteractionCount: n,
});

/**
 * schema.org `interactionStatistic`: for a video (on its VideoObject, as Google reads it) WatchAction
 * and ShareAction; for an article (on its NewsArticle) ViewAction and ShareAction.
 */
export function interactionStatistic(kind: 'video' | 'article', c: Counts): Record<string, unknown>[] {
  return kind === 'video'
    ? [counter('WatchAction', watched(c)), counter('ShareAction', c.shares)]
    : [counter('ViewAction', c.views), counter('ShareAction', c.shares)];
}
