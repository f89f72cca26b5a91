// The AudienceStore Durable Object: the daily salt, the rolled-up series, the partner delivery log and
// (local sink) the raw data points. Apart from the writer, so counting never waits on a publish.
import { DurableObject } from 'cloudflare:workers';
import { hex, utcDay } from './keys';
import { EMBED_METRICS, type AudiencePoint, type EmbedEvent, type WeightedPoint } from './points';
import { migrateAudience } from './schema';
import { deliveriesOf, statsOf, type Deliveries, type StatsBy, type StatsRow } from './queries';
import { feedDaysOf, type FeedDays } from './feed-days';
import { itemTotalsOf, type ItemTotals } from './totals';

const HOUR = 3_600_000;
const DAY = 86_400_000;
// The delivery log answers "did MSN get the correction?" for this long.
const DELIVERY_DAYS = 90;
// How many embedding sites one visitor can add an item's events to in a day; more are not counted for their site.
const MAX_SITES = 5;
// The visitors rows of an embed event's site (the item's own rows keep the point's kind, with source "").
const SITE_KIND = 'embed site';

export class AudienceStore extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => void migrateAudience(ctx.storage));
  }

  /** The salt of `day` (made now if it has none); every other day's salt is deleted, so it cannot be used again. */
  salt(day: string): string {
    return this.ctx.storage.transactionSync(() => {
      this.sql.exec('DELETE FROM salts WHERE day <> ?', day);
      const row = this.sql.exec<{ salt: string }>('SELECT salt FROM salts WHERE day = ?', day).toArray()[0];
      if (row) return row.salt;
      const salt = hex(crypto.getRandomValues(new Uint8Array(32)));
      this.sql.exec('INSERT INTO salts (day, salt) VALUES (?, ?)', day, salt);
      return salt;
    });
  }

  /** The local sink: keeps raw points until the next rollup. */
  write(points: AudiencePoint[]): void {
    this.ctx.storage.transactionSync(() => {
      for (const p of points)
        this.sql.exec(
          'INSERT INTO points (at, kind, key, source, doc, etag, visitor, status, subscribers, bytes, minute) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
          p.at,
          p.kind,
          p.key,
          p.source,
          p.doc,
          p.etag,
          p.visitor,
          p.status,
          p.subscribers,
          p.bytes,
          p.minute,
        );
    });
  }

  /** Where the last rollup stopped (ms), 0 before the first. */
  rolledUntil(): number {
    return this.sql.exec<{ done_until: number }>('SELECT done_until FROM rollup').toArray()[0]?.done_until ?? 0;
  }

  /** The local rollup: folds every raw point before `until` into the series and drops it. How many points it folded. */
  rollupLocal(until: number): number {
    return this.ctx.storage.transactionSync(() => {
      const rows = this.sql
        .exec<WeightedPoint & Record<string, SqlStorageValue>>(
          `SELECT kind, at, key, source, doc, etag, visitor, status, subscribers, SUM(bytes) AS bytes, MAX(minute) AS minute,
           COUNT(*) AS n, 1 AS w FROM points WHERE at < ? GROUP BY kind, at, key, source, doc, etag, visitor, status, subscribers`,
          until,
        )
        .toArray();
      this.fold(rows, until);
      this.sql.exec('DELETE FROM points WHERE at < ?', until);
      return rows.reduce((sum, r) => sum + r.n, 0);
    });
  }

  /** The Analytics Engine rollup: folds points read back from its SQL API (up to `until`) into the series. */
  absorb(rows: WeightedPoint[], until: number): void {
    this.ctx.storage.transactionSync(() => this.fold(rows, until));
  }

  private fold(rows: readonly WeightedPoint[], until: number): void {
    // Nothing to add writes nothing: a series row of 0 would still name its item or site.
    const add = (at: number, dim: string, key: string, metric: string, n: number) =>
      n !== 0 &&
      this.sql.exec(
        `INSERT INTO series (at, dim, key, metric, value) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (dim, key, metric, at) DO UPDATE SET value = value + excluded.value`,
        at - (at % HOUR),
        dim,
        key,
        metric,
        n,
      );
    const touched = new Map<string, { day: string; feed: string }>();
    const downloads: WeightedPoint[] = [];
    for (const r of rows) {
      if (r.kind === 'view' || r.kind === 'embed' || r.kind === 'share') {
        // However many beacons or page loads one visitor sends, one count a day per item and event (a
        // share or a copy alike), whichever sites it names; a sampled visitor counts as many as it stands for. (A point without a visitor was counted
        // before views had one: it counts as it was.)
        const n = r.visitor ? (this.firstToday(r.at, r.kind, r.key, '', r.doc, r.visitor) ? r.w : 0) : r.n;
        if (r.kind === 'view') add(r.at, 'item', r.key, 'views', n);
        else if (r.kind === 'share') add(r.at, 'item', r.key, 'shares', n);
        // What Analytics Engine hands back is only strings: an event it does not name is not counted.
        else if (Object.hasOwn(EMBED_METRICS, r.doc)) {
          const metric = EMBED_METRICS[r.doc as EmbedEvent];
          add(r.at, 'item', r.key, metric, n);
          add(r.at, 'site', r.source, metric, r.visitor ? (this.firstSiteToday(r) ? r.w : 0) : r.n);
        }
      } else if (r.kind === 'download') downloads.push(r);
      else if (r.kind === 'delivery') {
        add(r.at, 'partner', r.key, 'fetches', r.n);
        this.sql.exec(
          'INSERT INTO deliveries (at, partner, doc, etag, status, credential, network, n) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
          r.at,
          r.key,
          r.doc,
          r.etag,
          r.status,
          r.source,
          r.visitor,
          r.n,
        );
      } else if (r.kind === 'poll') {
        add(r.at, 'feed', r.key, 'fetches', r.n);
        const day = utcDay(r.at);
        touched.set(`${day} ${r.key}`, { day, feed: r.key });
        // One count per service and feed a day: the latest it reported.
        if (r.source)
          this.sql.exec(
            `INSERT INTO aggregators (day, feed, service, subscribers, at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (day, feed, service) DO UPDATE SET subscribers = excluded.subscribers, at = excluded.at WHERE excluded.at >= at`,
            day,
            r.key,
            r.source,
            r.subscribers,
            r.at,
          );
        else if (r.visitor) this.sql.exec('INSERT OR IGNORE INTO pollers (day, feed, visitor) VALUES (?, ?, ?)', day, r.key, r.visitor);
      }
    }
    // A feed's subscribers on a day: each service's latest count plus the day's distinct direct pollers.
    for (const { day, feed } of touched.values()) {
      const direct = this.sql.exec<{ c: number }>('SELECT COUNT(*) AS c FROM pollers WHERE day = ? AND feed = ?', day, feed).one().c;
      const services = this.sql
        .exec<{ s: number | null }>('SELECT SUM(subscribers) AS s FROM aggregators WHERE day = ? AND feed = ?', day, feed)
        .one().s;
      this.sql.exec(
        `INSERT INTO series (at, dim, key, metric, value) VALUES (?, 'feed', ?, 'subscribers', ?)
         ON CONFLICT (dim, key, metric, at) DO UPDATE SET value = excluded.value`,
        Date.parse(`${day}T00:00:00Z`),
        feed,
        direct + (services ?? 0),
      );
    }
    this.foldDownloads(downloads, add);
    // A day's pollers, listeners and visitors are needed only while points of that day may still arrive: today and yesterday.
    const yesterday = utcDay(until - DAY);
    this.sql.exec('DELETE FROM pollers WHERE day < ?', yesterday);
    this.sql.exec('DELETE FROM downloads WHERE day < ?', yesterday);
    this.sql.exec('DELETE FROM aggregators WHERE day < ?', yesterday);
    this.sql.exec('DELETE FROM visitors WHERE day < ?', yesterday);
    this.sql.exec('DELETE FROM deliveries WHERE at < ?', until - DELIVERY_DAYS * DAY);
    this.sql.exec(
      'INSERT INTO rollup (id, done_until) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET done_until = excluded.done_until',
      until,
    );
  }

  /** Whether this is the first point of its day for its visitor, kind, item, site and event; notes it if so. */
  private firstToday(at: number, kind: string, key: string, source: string, doc: string, visitor: string): boolean {
    return (
      this.sql
        .exec(
          `INSERT INTO visitors (day, kind, key, source, doc, visitor) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING 1`,
          utcDay(at),
          kind,
          key,
          source,
          doc,
          visitor,
        )
        .toArray().length > 0
    );
  }

  /**
   * Whether an embed event is the first of its day for its visitor, item and site, on one of the first
   * MAX_SITES sites that visitor named for the item that day: a browser naming ever more sites adds to
   * a few only. Noted under their own kind, apart from the item's own (whose source is always "").
   */
  private firstSiteToday(r: WeightedPoint): boolean {
    const sites = this.sql
      .exec<{ source: string }>(
        'SELECT DISTINCT source FROM visitors WHERE day = ? AND kind = ? AND key = ? AND visitor = ?',
        utcDay(r.at),
        SITE_KIND,
        r.key,
        r.visitor,
      )
      .toArray();
    if (sites.length >= MAX_SITES && !sites.some((s) => s.source === r.source)) return false;
    return this.firstToday(r.at, SITE_KIND, r.key, r.source, r.doc, r.visitor);
  }

  /**
   * Podcast downloads by the IAB's rules: a listener's (daily key of address and User-Agent) requests
   * for an item add up over the UTC day, and make one download the first time they reach a minute of
   * the file, in the hour of the request that reached it; never a second that day.
   */
  private foldDownloads(rows: WeightedPoint[], add: (at: number, dim: string, key: string, metric: string, n: number) => unknown): void {
    rows.sort((a, b) => a.at - b.at);
    for (const r of rows) {
      const day = utcDay(r.at);
      const row = this.sql
        .exec<{ bytes: number; counted: number }>(
          `INSERT INTO downloads (day, item, visitor, bytes, counted) VALUES (?, ?, ?, ?, 0)
           ON CONFLICT (day, item, visitor) DO UPDATE SET bytes = bytes + excluded.bytes RETURNING bytes, counted`,
          day,
          r.key,
          r.visitor,
          r.bytes,
        )
        .one();
      if (row.counted || row.bytes < Math.max(1, r.minute)) continue;
      this.sql.exec('UPDATE downloads SET counted = 1 WHERE day = ? AND item = ? AND visitor = ?', day, r.key, r.visitor);
      add(r.at, 'item', r.key, 'downloads', r.w);
    }
  }

  /** The series summed by item, feed, partner, site or day over [from, to). */
  stats(by: StatsBy, from: number, to: number): StatsRow[] {
    return statsOf(this.sql, by, from, to);
  }

  /** A partner's fetches over [from, to), newest first, and each credential's busiest hour in networks. */
  deliveries(partner: string, from: number, to: number, leakNetworks: number): Deliveries {
    return deliveriesOf(this.sql, partner, from, to, leakNetworks);
  }

  /** Each of `feeds` day by day over [from, to): subscribers and fetches. */
  feedDays(feeds: string[], from: number, to: number): FeedDays[] {
    return feedDaysOf(this.sql, feeds, from, to);
  }

  /** Each item's all-time views, shares and plays (those counted so far), for the live counts on its page. */
  itemTotals(): ItemTotals[] {
    return itemTotalsOf(this.sql);
  }
}
