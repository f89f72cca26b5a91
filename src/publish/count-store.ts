// The live counts the writer last applied to each item's page (item_counts), and when it last applied any.
import type { Counts } from '../render/item-counts';

/** Synchronous SQL over the item_counts table. */
export class CountStore {
  constructor(private readonly sql: SqlStorage) {}

  /** The counts last applied to the item at `slug`, or null when none were. */
  get(slug: string): Counts | null {
    return (
      this.sql
        .exec<{ views: number; shares: number; plays: number }>('SELECT views, shares, plays FROM item_counts WHERE slug = ?', slug)
        .toArray()[0] ?? null
    );
  }

  /** Records the counts now shown for `slug`. */
  set(slug: string, c: Counts, at: number): void {
    this.sql.exec(
      `INSERT INTO item_counts (slug, views, shares, plays, applied_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (slug) DO UPDATE SET views = excluded.views, shares = excluded.shares, plays = excluded.plays, applied_at = excluded.applied_at`,
      slug,
      c.views,
      c.shares,
      c.plays,
      at,
    );
  }

  /**
   * Moves the counts shown at `from` to `to`: a renamed item's page shows them at its new address
   * at once, rather than none until the next counts pass. Anything at `to` is replaced.
   */
  move(from: string, to: string): void {
    this.sql.exec('DELETE FROM item_counts WHERE slug = ?', to);
    this.sql.exec('UPDATE item_counts SET slug = ? WHERE slug = ?', to, from);
  }

  /** Forgets the counts shown at `slug` (its item was withdrawn: nothing renders them, and a later item there starts afresh). */
  drop(slug: string): void {
    this.sql.exec('DELETE FROM item_counts WHERE slug = ?', slug);
  }
}
