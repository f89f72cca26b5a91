// Partners as the writer stores them, and what each one carries of each item: reads, and writes named as writes.
import * as v from 'valibot';
import { problemOf } from '../model/messages';
import { PartnerInput, type Partner } from '../model/partner';
import type { ItemRecord } from '../model/schema';

/** What a partner's documents say of one item: it, its expiry, its withdrawal; or nothing yet (held until `nextAt`). */
export type CarryStatus = 'live' | 'expired' | 'withdrawn' | 'held';

/** One partner's row for one item. */
export interface Carried {
  partner: string;
  item: string;
  slug: string;
  status: CarryStatus;
  /** When this status began (ms). */
  changedAt: number;
  /** Where it sorts in the partner's documents (newest first): its publication, or its takedown. */
  sortAt: number;
  /** When the partner's decision on it may next change by itself (an embargo's end, the expiry). */
  nextAt: number | null;
  /** The record it was taken down as, kept when the item's own row is gone. */
  record: ItemRecord | null;
}

/** A stored partner with the writer's facts. */
export interface StoredPartner {
  partner: Partner;
  input: Record<string, unknown>;
  hash: string;
  createdAt: number;
  updatedAt: number;
}

type PartnerRow = { id: string; input: string; hash: string; created_at: number; updated_at: number };
type CarriedRow = {
  partner: string;
  item: string;
  slug: string;
  status: CarryStatus;
  changed_at: number;
  sort_at: number;
  next_at: number | null;
  record: string | null;
};

const CARRIED = 'partner, item, slug, status, changed_at, sort_at, next_at, record';

/** A stored partner, read strictly: a row the schema no longer accepts throws (its jobs are set aside and show). */
export function readPartner(r: PartnerRow): StoredPartner {
  const parsed = v.safeParse(PartnerInput, JSON.parse(r.input));
  if (!parsed.success) {
    const p = problemOf(parsed.issues[0]);
    throw new Error(`partner "${r.id}": its stored input no longer passes the schema: ${p.field} ${p.message}`);
  }
  return {
    partner: { ...parsed.output, id: r.id },
    input: JSON.parse(r.input) as Record<string, unknown>,
    hash: r.hash,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

const carried = (r: CarriedRow): Carried => ({
  partner: r.partner,
  item: r.item,
  slug: r.slug,
  status: r.status,
  changedAt: r.changed_at,
  sortAt: r.sort_at,
  nextAt: r.next_at,
  record: r.record === null ? null : (JSON.parse(r.record) as ItemRecord),
});

/** Synchronous SQL over the partners and partner_items tables. */
export class PartnerStore {
  constructor(private readonly sql: SqlStorage) {}

  /** The partner filed under `id`, or null; throws when its stored input no longer passes the schema. */
  get(id: string): StoredPartner | null {
    const r = this.sql.exec<PartnerRow>('SELECT id, input, hash, created_at, updated_at FROM partners WHERE id = ?', id).toArray()[0];
    return r ? readPartner(r) : null;
  }

  /** Every partner id, readable or not. */
  ids(): string[] {
    return this.sql
      .exec<{ id: string }>('SELECT id FROM partners ORDER BY id')
      .toArray()
      .map((r) => r.id);
  }

  /**
   * Every partner the writer can decide for. One whose stored input no longer passes the schema is
   * skipped (and logged): it must not stop publishing for the others; its own job shows the error.
   */
  readable(): Partner[] {
    const out: Partner[] = [];
    for (const r of this.sql.exec<PartnerRow>('SELECT id, input, hash, created_at, updated_at FROM partners ORDER BY id')) {
      try {
        out.push(readPartner(r).partner);
      } catch (err) {
        console.error('partner skipped', err instanceof Error ? err.message : err);
      }
    }
    return out;
  }

  /** Every partner as the API lists it (an unreadable one with its error). */
  list(): ({ id: string; hash: string; updatedAt: number } & ({ partner: Partner } | { error: string }))[] {
    return this.sql
      .exec<PartnerRow>('SELECT id, input, hash, created_at, updated_at FROM partners ORDER BY id')
      .toArray()
      .map((r) => {
        try {
          return { id: r.id, hash: r.hash, updatedAt: r.updated_at, partner: readPartner(r).partner };
        } catch (err) {
          return { id: r.id, hash: r.hash, updatedAt: r.updated_at, error: err instanceof Error ? err.message : String(err) };
        }
      });
  }

  /** Writes a partner as sent (input) under `id`. */
  savePartner(id: string, input: Record<string, unknown>, hash: string, now: number): void {
    this.sql.exec(
      `INSERT INTO partners (id, input, hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET input = excluded.input, hash = excluded.hash, updated_at = excluded.updated_at`,
      id,
      JSON.stringify(input),
      hash,
      now,
      now,
    );
  }

  /** Deletes a partner and everything it carried. */
  deletePartner(id: string): void {
    this.sql.exec('DELETE FROM partners WHERE id = ?', id);
    this.sql.exec('DELETE FROM partner_items WHERE partner = ?', id);
  }

  carried(partner: string, item: string): Carried | null {
    const r = this.sql.exec<CarriedRow>(`SELECT ${CARRIED} FROM partner_items WHERE partner = ? AND item = ?`, partner, item).toArray()[0];
    return r ? carried(r) : null;
  }

  /** The row a partner's document holds under `slug` (live, expired or withdrawn), or null. */
  shownBySlug(partner: string, slug: string): Carried | null {
    const r = this.sql
      .exec<CarriedRow>(
        `SELECT ${CARRIED} FROM partner_items WHERE partner = ? AND slug = ? AND status != 'held' ORDER BY changed_at DESC LIMIT 1`,
        partner,
        slug,
      )
      .toArray()[0];
    return r ? carried(r) : null;
  }

  /** Every partner's row for `item`. */
  rowsOfItem(item: string): Carried[] {
    return this.sql.exec<CarriedRow>(`SELECT ${CARRIED} FROM partner_items WHERE item = ?`, item).toArray().map(carried);
  }

  /** Every item id a partner has a row for. */
  itemsOf(partner: string): string[] {
    return this.sql
      .exec<{ item: string }>('SELECT item FROM partner_items WHERE partner = ?', partner)
      .toArray()
      .map((r) => r.item);
  }

  /** What a partner's documents show, newest first: `limit` rows from `offset`. */
  shown(partner: string, offset: number, limit: number): Carried[] {
    return this.sql
      .exec<CarriedRow>(
        `SELECT ${CARRIED} FROM partner_items WHERE partner = ? AND status != 'held' ORDER BY sort_at DESC, item LIMIT ? OFFSET ?`,
        partner,
        limit,
        offset,
      )
      .toArray()
      .map(carried);
  }

  /** How many rows a partner's documents show. */
  shownCount(partner: string): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM partner_items WHERE partner = ? AND status != 'held'", partner).one().n;
  }

  /** Writes (or replaces) one partner's row for one item. */
  saveCarried(c: Carried): void {
    this.sql.exec(
      `INSERT OR REPLACE INTO partner_items (${CARRIED}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      c.partner,
      c.item,
      c.slug,
      c.status,
      c.changedAt,
      c.sortAt,
      c.nextAt,
      c.record === null ? null : JSON.stringify(c.record),
    );
  }

  dropCarried(partner: string, item: string): void {
    this.sql.exec('DELETE FROM partner_items WHERE partner = ? AND item = ?', partner, item);
  }

  /** Rows whose decision is due to change by `now`. */
  due(now: number): { partner: string; item: string }[] {
    return this.sql
      .exec<{ partner: string; item: string }>('SELECT partner, item FROM partner_items WHERE next_at <= ? ORDER BY next_at', now)
      .toArray();
  }

  /** The next instant a partner's decision on an item changes by itself, or null. */
  nextAt(): number | null {
    return this.sql.exec<{ t: number | null }>('SELECT MIN(next_at) AS t FROM partner_items WHERE next_at IS NOT NULL').one().t;
  }
}
