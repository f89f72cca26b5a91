// Live counts into the writer: the totals the audience rollup measured → the items whose numbers
// changed → the jobs they owe (their page; a video's sitemap page too). Feeds never show counts.
import type { Counts } from '../render/item-counts';
import { SITEMAP_PAGE } from '../render/sitemap';
import type { Books } from './books';
import type { Job } from './jobs';
import type { Stores } from './stores';

/** One address's all-time totals as the rollup has them (src/audience/totals.ts); a metric nothing has counted yet is absent. */
export type ItemTotals = { slug: string } & Partial<Counts>;

/** When live counts may next be applied (ms): at once the first time, then `everyMs` after the last application. */
export function countsDueAt(books: Books, everyMs: number): number {
  const last = books.num('countsAt');
  return last === null ? 0 : last + everyMs;
}

// The store sums REAL columns: a whole, non-negative count, whatever it was handed.
const whole = (n: number | undefined) => (typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.round(n) : 0);

const same = (a: Counts, b: Counts) => a.views === b.views && a.shares === b.shares && a.plays === b.plays;

/**
 * Applies `totals` at `at`: each is folded into the published item it counts for (a renamed item's
 * old address into the item; a withdrawn, scheduled or unknown address is ignored), and each item
 * whose numbers differ from those last applied is recorded and owes its page and, for a video, its
 * sitemap page. Records the application time. Returns the changed slugs and the jobs they owe.
 */
export function applyCounts(stores: Pick<Stores, 'items' | 'counts' | 'books'>, totals: readonly ItemTotals[], at: number) {
  const { items, counts, books } = stores;
  const folded = new Map<string, { seq: number; video: boolean; c: Counts }>();
  for (const t of totals) {
    const live = items.liveAt(t.slug);
    if (!live) continue;
    const f = folded.get(live.slug) ?? { seq: live.seq, video: live.video, c: { views: 0, shares: 0, plays: 0 } };
    f.c.views += whole(t.views);
    f.c.shares += whole(t.shares);
    f.c.plays += whole(t.plays);
    folded.set(live.slug, f);
  }
  const changed: string[] = [];
  const jobs: Job[] = [];
  const sitemapPages = new Set<number>();
  for (const [slug, { seq, video, c }] of folded) {
    const before = counts.get(slug) ?? { views: 0, shares: 0, plays: 0 };
    if (same(before, c)) continue;
    counts.set(slug, c, at);
    changed.push(slug);
    jobs.push({ t: 'slug', slug });
    if (video) sitemapPages.add(Math.ceil(seq / SITEMAP_PAGE));
  }
  for (const page of sitemapPages) jobs.push({ t: 'sitemap', page });
  books.setNum('countsAt', at);
  return { changed, jobs };
}
