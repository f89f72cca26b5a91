// The audience store's SQLite schema: ordered steps, each run once, counted in schema_version.
import { runMigrations, type Migration } from '../store/sqlite-migrations';

/** Never edit a step once it has shipped; add one at the end. */
const STEPS: readonly Migration[] = [
  {
    name: 'salts, points, series, pollers, aggregators, deliveries, rollup',
    up: (sql) =>
      sql.exec(`CREATE TABLE salts (day TEXT PRIMARY KEY, salt TEXT NOT NULL);
   CREATE TABLE points (at INTEGER NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, source TEXT NOT NULL,
     doc TEXT NOT NULL, etag TEXT NOT NULL, visitor TEXT NOT NULL, status INTEGER NOT NULL, subscribers INTEGER NOT NULL);
   CREATE INDEX points_by_at ON points (at);
   CREATE TABLE series (at INTEGER NOT NULL, dim TEXT NOT NULL, key TEXT NOT NULL, metric TEXT NOT NULL, value REAL NOT NULL,
     PRIMARY KEY (dim, key, metric, at));
   CREATE INDEX series_by_at ON series (dim, at);
   CREATE TABLE pollers (day TEXT NOT NULL, feed TEXT NOT NULL, visitor TEXT NOT NULL, PRIMARY KEY (day, feed, visitor));
   CREATE TABLE aggregators (day TEXT NOT NULL, feed TEXT NOT NULL, service TEXT NOT NULL, subscribers INTEGER NOT NULL,
     at INTEGER NOT NULL, PRIMARY KEY (day, feed, service));
   CREATE TABLE deliveries (at INTEGER NOT NULL, partner TEXT NOT NULL, doc TEXT NOT NULL, etag TEXT NOT NULL,
     status INTEGER NOT NULL, credential TEXT NOT NULL, network TEXT NOT NULL, n INTEGER NOT NULL);
   CREATE INDEX deliveries_by_partner ON deliveries (partner, at);
   CREATE TABLE rollup (id INTEGER PRIMARY KEY CHECK (id = 1), done_until INTEGER NOT NULL);`),
  },
  {
    // One count per visitor, item, site and event (or share source) per UTC day: views, embeds and shares.
    name: 'beacons',
    up: (sql) =>
      sql.exec(`CREATE TABLE visitors (day TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, source TEXT NOT NULL,
     doc TEXT NOT NULL, visitor TEXT NOT NULL, PRIMARY KEY (day, kind, key, source, doc, visitor));`),
  },
  {
    // Podcast downloads: a point's bytes and the bytes of one minute of its file; each listener's bytes of an item, a UTC day at a time.
    name: 'downloads',
    up: (sql) =>
      sql.exec(`ALTER TABLE points ADD COLUMN bytes REAL NOT NULL DEFAULT 0;
   ALTER TABLE points ADD COLUMN minute REAL NOT NULL DEFAULT 0;
   CREATE TABLE downloads (day TEXT NOT NULL, item TEXT NOT NULL, visitor TEXT NOT NULL, bytes REAL NOT NULL,
     counted INTEGER NOT NULL, PRIMARY KEY (day, item, visitor));`),
  },
];

/** Brings the audience store up to the last step. */
export const migrateAudience = (storage: DurableObjectStorage) => runMigrations(storage, STEPS, 'the audience');
