// The writer's SQLite schema: one ordered list of migrations, each run once, forward only.
import { canonical } from '../model/hash';
import { runMigrations, type Migration } from '../store/sqlite-migrations';

export { schemaVersion } from '../store/sqlite-migrations';

/**
 * The tables as the writer created them before schemas were versioned (each store made its own, with
 * IF NOT EXISTS): a Durable Object written then has them all and runs this as a no-op.
 */
const TODAYS_TABLES = `
  CREATE TABLE IF NOT EXISTS items (id TEXT PRIMARY KEY, slug TEXT UNIQUE NOT NULL, seq INTEGER UNIQUE NOT NULL,
    state TEXT NOT NULL, publish_at INTEGER NOT NULL, record TEXT NOT NULL, input TEXT NOT NULL, hash TEXT NOT NULL,
    etag TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
  CREATE INDEX IF NOT EXISTS items_by_state ON items (state, publish_at);
  CREATE TABLE IF NOT EXISTS aliases (slug TEXT PRIMARY KEY, id TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL);
  CREATE INDEX IF NOT EXISTS aliases_by_id ON aliases (id);
  CREATE TABLE IF NOT EXISTS names (kind TEXT NOT NULL, key TEXT NOT NULL, slug TEXT NOT NULL, PRIMARY KEY (kind, key), UNIQUE (kind, slug));
  CREATE TABLE IF NOT EXISTS members (scope TEXT NOT NULL, pos INTEGER NOT NULL, id TEXT NOT NULL, PRIMARY KEY (scope, pos));
  CREATE INDEX IF NOT EXISTS members_by_id ON members (id, scope);
  CREATE TABLE IF NOT EXISTS scopes (scope TEXT PRIMARY KEY, next_pos INTEGER NOT NULL, archived INTEGER NOT NULL, label TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS docs (key TEXT PRIMARY KEY, etag TEXT NOT NULL, last_modified INTEGER NOT NULL, rv INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS jobs (key TEXT PRIMARY KEY, job TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, not_before INTEGER NOT NULL DEFAULT 0);
  CREATE TABLE IF NOT EXISTS failed (key TEXT PRIMARY KEY, job TEXT NOT NULL, error TEXT NOT NULL, at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS backlog (key TEXT PRIMARY KEY, job TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS purges (tag TEXT NOT NULL, due INTEGER NOT NULL, PRIMARY KEY (tag, due));
  CREATE TABLE IF NOT EXISTS hubq (path TEXT PRIMARY KEY);
  CREATE TABLE IF NOT EXISTS pings (n INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, at INTEGER NOT NULL, ok INTEGER NOT NULL, detail TEXT NOT NULL);
`;

/** Migration 2's rebuild order, as startRebuild queued it then: feeds, directory, news, sitemaps, archives, items. */
function rebuildRankV2(job: { t: string; page?: number }): number {
  switch (job.t) {
    case 'scope':
      return job.page ? 50 : 10;
    case 'directory':
      return 20;
    case 'news':
      return 30;
    case 'sitemap':
      return 40;
    default:
      return 60;
  }
}

const MIGRATIONS: readonly Migration[] = [
  { name: 'the tables as first shipped', up: (sql) => void sql.exec(TODAYS_TABLES) },
  {
    // One queue instead of two (jobs, backlog): publish work is priority 0, the rebuild's work ranks
    // after it in the order readers need. Keys become canonical JSON (sorted keys), rewritten.
    name: 'one job queue with a priority, canonical job keys',
    up: (sql) => {
      sql.exec(`CREATE TABLE queue (key TEXT PRIMARY KEY, job TEXT NOT NULL, priority INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0, not_before INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX queue_by_priority ON queue (priority, not_before);`);
      for (const r of sql.exec<{ job: string; attempts: number; not_before: number }>(
        'SELECT job, attempts, not_before FROM jobs ORDER BY rowid',
      )) {
        const k = canonical(JSON.parse(r.job));
        sql.exec(
          'INSERT OR IGNORE INTO queue (key, job, priority, attempts, not_before) VALUES (?, ?, 0, ?, ?)',
          k,
          k,
          r.attempts,
          r.not_before,
        );
      }
      const backlog = sql.exec<{ job: string }>('SELECT job FROM backlog ORDER BY rowid').toArray();
      const ranked = backlog.map((r, i) => ({ job: JSON.parse(r.job) as { t: string; page?: number }, i }));
      ranked.sort((a, b) => rebuildRankV2(a.job) - rebuildRankV2(b.job) || a.i - b.i);
      for (const { job } of ranked) {
        const k = canonical(job);
        // A job owed both ways stays with the publish work (it ran first then too).
        sql.exec('INSERT OR IGNORE INTO queue (key, job, priority) VALUES (?, ?, ?)', k, k, rebuildRankV2(job));
      }
      const failed = sql.exec<{ job: string; error: string; at: number }>('SELECT job, error, at FROM failed ORDER BY rowid').toArray();
      sql.exec('DELETE FROM failed');
      for (const f of failed) {
        const k = canonical(JSON.parse(f.job));
        sql.exec('INSERT OR REPLACE INTO failed (key, job, error, at) VALUES (?, ?, ?, ?)', k, k, f.error, f.at);
      }
      sql.exec('DROP TABLE jobs; DROP TABLE backlog;');
    },
  },
  {
    // The rebuild under way was five loose settings; now one typed row (none when no rebuild runs).
    name: 'one rebuild record',
    up: (sql) => {
      sql.exec(`CREATE TABLE rebuild (one INTEGER PRIMARY KEY CHECK (one = 1), total INTEGER NOT NULL, started_at INTEGER NOT NULL,
        force INTEGER NOT NULL, target INTEGER NOT NULL, reason TEXT NOT NULL)`);
      const get = (k: string) => sql.exec<{ value: string }>('SELECT value FROM settings WHERE key = ?', k).toArray()[0]?.value ?? null;
      const total = get('rebuildTotal');
      if (total !== null) {
        sql.exec(
          'INSERT INTO rebuild (one, total, started_at, force, target, reason) VALUES (1, ?, ?, ?, ?, ?)',
          Number(total),
          Number(get('rebuildStarted') ?? 0),
          get('rebuildForce') === '1' ? 1 : 0,
          Number(get('rebuildTarget') ?? 0),
          get('rebuildReason') ?? '',
        );
      }
      sql.exec("DELETE FROM settings WHERE key IN ('rebuildTotal', 'rebuildStarted', 'rebuildForce', 'rebuildTarget', 'rebuildReason')");
    },
  },
  {
    // Partners as data, and what each carries of each item (live, expired, withdrawn, or held until
    // next_at), so a takedown reaches exactly the partners that had the item. A withdrawn item's row
    // keeps the record it was taken down as (the item's own row is gone).
    name: 'partners and what they carry',
    up: (sql) =>
      void sql.exec(`CREATE TABLE partners (id TEXT PRIMARY KEY, input TEXT NOT NULL, hash TEXT NOT NULL,
        created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
        CREATE TABLE partner_items (partner TEXT NOT NULL, item TEXT NOT NULL, slug TEXT NOT NULL, status TEXT NOT NULL,
          changed_at INTEGER NOT NULL, sort_at INTEGER NOT NULL, next_at INTEGER, record TEXT, PRIMARY KEY (partner, item));
        CREATE INDEX partner_items_by_sort ON partner_items (partner, sort_at);
        CREATE INDEX partner_items_by_item ON partner_items (item);
        CREATE INDEX partner_items_by_next ON partner_items (next_at) WHERE next_at IS NOT NULL;`),
  },
  {
    // Live counts as last applied to each item's page: only an item whose numbers changed is re-rendered.
    name: 'live counts',
    up: (sql) =>
      void sql.exec(`CREATE TABLE item_counts (slug TEXT PRIMARY KEY, views INTEGER NOT NULL, shares INTEGER NOT NULL,
        plays INTEGER NOT NULL, applied_at INTEGER NOT NULL)`),
  },
  {
    // Related coverage, computed when an item is committed and stored so a render only reads it: item
    // `id` lists `other` at `position` (1 first), with the slug, kind and title its link shows. The
    // index on `other` finds the lists that name an item when it is withdrawn, scheduled back or renamed.
    // Existing items get their lists at the next rebuild (the render version that shows them starts one).
    name: 'related coverage',
    up: (sql) =>
      void sql.exec(`CREATE TABLE related (id TEXT NOT NULL, position INTEGER NOT NULL, other TEXT NOT NULL, slug TEXT NOT NULL,
          kind TEXT NOT NULL, title TEXT NOT NULL, PRIMARY KEY (id, position));
        CREATE INDEX related_by_other ON related (other);`),
  },
];

/** The schema version this code writes: the number of migrations. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the writer's storage up to SCHEMA_VERSION (see runMigrations); newer storage is refused. */
export function migrate(storage: DurableObjectStorage): { from: number; to: number } {
  return runMigrations(storage, MIGRATIONS, "the writer's");
}

/** Migration 1's statements, for tests that lay out storage as the writer left it before versions. */
export const SCHEMA_0_SQL = TODAYS_TABLES;
