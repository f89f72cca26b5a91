// What the writer tells others after KV holds a change: the edge cache (purge by tag) and the WebSub
// hub. Queued in SQL with the change, sent by the alarm, each outcome kept for the status endpoint.
import type { Config } from '../config';
import type { EdgeCachePurger } from '../http/edge-cache';
import { pingHub } from '../http/websub';
import type { Books } from './books';

/** Purging everything, after a full rebuild; no document's tag looks like this. */
export const EVERYTHING = '*';

export interface Ping {
  topic: string;
  at: number;
  ok: boolean;
  detail: string;
}

/** Synchronous SQL over the purges, hubq and pings tables. */
export class Outbox {
  constructor(private readonly sql: SqlStorage) {}

  /**
   * Queues purges of the keys just written (or EVERYTHING): now, and again `repeatMs` later, once KV
   * has settled everywhere (KV between locations can lag by about 60 s, PURGE_REPEAT_MS).
   */
  queuePurges(keys: readonly string[], now: number, repeatMs: number): void {
    if (keys.length) this.addPurge(keys, [now, now + repeatMs]);
  }

  /** Queues edge-cache tags to purge at each of `times`. */
  addPurge(tags: readonly string[], times: readonly number[]): void {
    for (const tag of tags) for (const due of times) this.sql.exec('INSERT OR IGNORE INTO purges (tag, due) VALUES (?, ?)', tag, due);
  }

  /** Up to `limit` distinct tags due by `now`: `everything` first (it covers the rest), then those waiting longest. */
  duePurges(now: number, limit: number): string[] {
    return this.sql
      .exec<{ tag: string }>(
        'SELECT tag FROM purges WHERE due <= ? GROUP BY tag ORDER BY tag = ? DESC, MIN(due) LIMIT ?',
        now,
        EVERYTHING,
        limit,
      )
      .toArray()
      .map((r) => r.tag);
  }

  /** How many distinct tags are due by `now`. */
  purgesDue(now: number): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(DISTINCT tag) AS n FROM purges WHERE due <= ?', now).one().n;
  }

  /** Drops the given tags' purges due by `now`, or (null) every purge due by then. */
  donePurges(tags: readonly string[] | null, now: number): void {
    if (tags === null) this.sql.exec('DELETE FROM purges WHERE due <= ?', now);
    else for (const tag of tags) this.sql.exec('DELETE FROM purges WHERE tag = ? AND due <= ?', tag, now);
  }

  firstPurgeDue(): number | null {
    return this.sql.exec<{ t: number | null }>('SELECT MIN(due) AS t FROM purges').one().t;
  }

  purgesQueued(): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(DISTINCT tag) AS n FROM purges').one().n;
  }

  /** Feeds to announce to the WebSub hub; a path queued twice is announced once. */
  addHub(paths: readonly string[]): void {
    for (const p of paths) this.sql.exec('INSERT OR IGNORE INTO hubq (path) VALUES (?)', p);
  }

  /** Takes up to `limit` queued feeds off the hub queue. */
  takeHub(limit: number): string[] {
    const paths = this.sql
      .exec<{ path: string }>('SELECT path FROM hubq LIMIT ?', limit)
      .toArray()
      .map((r) => r.path);
    for (const p of paths) this.sql.exec('DELETE FROM hubq WHERE path = ?', p);
    return paths;
  }

  hubQueued(): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM hubq').one().n;
  }

  /** Keeps the last 50 hub pings with their outcome, for the status endpoint. */
  addPing(p: Ping): void {
    this.sql.exec('INSERT INTO pings (topic, at, ok, detail) VALUES (?, ?, ?, ?)', p.topic, p.at, p.ok ? 1 : 0, p.detail.slice(0, 300));
    this.sql.exec('DELETE FROM pings WHERE n <= (SELECT MAX(n) FROM pings) - 50');
  }

  pings(limit = 10): Ping[] {
    return this.sql
      .exec<{ topic: string; at: number; ok: number; detail: string }>(
        'SELECT topic, at, ok, detail FROM pings ORDER BY n DESC LIMIT ?',
        limit,
      )
      .toArray()
      .map((r) => ({ topic: r.topic, at: r.at, ok: r.ok === 1, detail: r.detail }));
  }
}

const timeout = (ms: number) =>
  new Promise<{ success: false; errors: string[] }>((r) => setTimeout(() => r({ success: false, errors: [`no answer in ${ms} ms`] }), ms));

/**
 * Sends the purges that are due, at most one call every `purgeGapMs` (Cloudflare rate-limits purges),
 * up to 100 tags a call. Tags are dropped once sent, whatever the answer, and the outcome is kept
 * for the status endpoint: a purge that failed leaves an entry to expire by its own lifetime.
 */
export async function sendPurges(
  outbox: Outbox,
  books: Books,
  purger: EdgeCachePurger | undefined,
  now: number,
  cfg: Config,
): Promise<void> {
  const last = books.num('lastPurge');
  if (last !== null && now - last < cfg.purgeGapMs) return;
  const tags = outbox.duePurges(now, 100);
  if (!tags.length) return;
  const everything = tags[0] === EVERYTHING;
  // Taken and stamped before the call leaves: an alarm that overlaps this one (a test's alarm hook
  // beside Miniflare's own) finds the gap in force and the tags gone, and sends nothing twice. A
  // purge of everything covers every tag due with it.
  outbox.donePurges(everything ? null : tags, now);
  books.setNum('lastPurge', now);
  let result: string;
  try {
    // A purge that does not answer must not hold the writer's alarm.
    const r = purger
      ? await Promise.race([purger.purge(everything ? { everything: true } : { tags }), timeout(cfg.purgeTimeoutMs)])
      : { success: false, errors: ['no EDGE_CACHE binding'] };
    result = r.success ? `purged ${everything ? 'everything' : `${tags.length} tags`}` : `not purged: ${r.errors.join('; ')}`;
  } catch (err) {
    result = `purge failed: ${err instanceof Error ? err.message : String(err)}`;
  }
  books.setText('lastPurgeResult', result);
}

/** When the next purge may go out, or null when none is queued. */
export function nextPurgeAt(outbox: Outbox, books: Books, purgeGapMs: number): number | null {
  const due = outbox.firstPurgeDue();
  if (due === null) return null;
  return Math.max(due, (books.num('lastPurge') ?? -Infinity) + purgeGapMs);
}

/** Announces queued feeds to the hub and books each outcome. */
export async function sendPings(outbox: Outbox, now: number, cfg: Config): Promise<void> {
  const paths = outbox.takeHub(50);
  if (!paths.length) return;
  if (!cfg.hubUrl) return;
  for (const o of await pingHub(cfg.hubUrl, cfg.siteUrl, paths, cfg.hubTimeoutMs)) {
    if (!o.ok) console.warn(`WebSub ping for ${o.topic}: ${o.detail}`);
    outbox.addPing({ ...o, at: now });
  }
}
