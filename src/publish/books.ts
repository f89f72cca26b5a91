// The writer's books: its settings, the site settings, what KV holds under each key, and the rebuild
// under way. SQL, so a crash or eviction loses nothing.
import * as v from 'valibot';
import { SiteSettings } from '../model/schema';

/** What KV holds under a key, as the writer last wrote it. */
export interface DocRow {
  etag: string;
  lastModified: number;
  rv: number;
}

/** A full re-render working through the queue; one row, or none when no rebuild runs. */
export interface RebuildRecord {
  /** Jobs the rebuild owes in all; those left are the queue's rebuild work. */
  total: number;
  startedAt: number;
  /** Write even bytes KV already holds (KV may have lost them). */
  force: boolean;
  /** The render version the rebuild renders with. */
  target: number;
  reason: string;
}

const DEFAULT_SITE: SiteSettings = {
  title: 'wirefeed',
  description: 'News video and reporting.',
  language: 'en',
  author: 'wirefeed newsroom',
};

/**
 * Numbers the writer keeps: the render version KV holds, and times (ms); `countsAt` is when live counts
 * were last applied, `relistBelow` where a rebuild's recomputing of related lists has reached.
 */
type NumSetting = 'rv' | 'lastPublish' | 'lastPurge' | 'newsAt' | 'countsAt' | 'relistBelow';
type TextSetting = 'lastPurgeResult' | 'siteHash' | 'deployment';

/** Synchronous SQL over the settings, docs and rebuild tables. */
export class Books {
  constructor(private readonly sql: SqlStorage) {}

  private get(name: string): string | null {
    return this.sql.exec<{ value: string }>('SELECT value FROM settings WHERE key = ?', name).toArray()[0]?.value ?? null;
  }

  private set(name: string, value: string | null): void {
    if (value === null) this.sql.exec('DELETE FROM settings WHERE key = ?', name);
    else this.sql.exec('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)', name, value);
  }

  /**
   * The site settings. Settings the schema has since tightened against still load (over the
   * defaults), so the writer never stops on them and PUT /api/site can correct them.
   */
  site(): SiteSettings {
    const json = this.get('site');
    if (!json) return DEFAULT_SITE;
    const r = v.safeParse(SiteSettings, JSON.parse(json));
    if (r.success) return r.output;
    console.warn('the stored site settings no longer pass the schema', r.issues[0]?.message);
    return { ...DEFAULT_SITE, ...(JSON.parse(json) as Partial<SiteSettings>) };
  }

  saveSite(site: SiteSettings): void {
    this.set('site', JSON.stringify(site));
  }

  /** A number setting (render version of what KV holds, times); null when unset. */
  num(name: NumSetting): number | null {
    const s = this.get(name);
    return s === null ? null : Number(s);
  }

  setNum(name: NumSetting, value: number | null): void {
    this.set(name, value === null ? null : String(value));
  }

  text(name: TextSetting): string | null {
    return this.get(name);
  }

  setText(name: TextSetting, value: string | null): void {
    this.set(name, value);
  }

  /** The rebuild under way, or null. */
  rebuild(): RebuildRecord | null {
    const r = this.sql
      .exec<{ total: number; started_at: number; force: number; target: number; reason: string }>(
        'SELECT total, started_at, force, target, reason FROM rebuild',
      )
      .toArray()[0];
    return r ? { total: r.total, startedAt: r.started_at, force: r.force === 1, target: r.target, reason: r.reason } : null;
  }

  /** Records the rebuild under way, or (null) that none is. */
  setRebuild(r: RebuildRecord | null): void {
    if (r === null) this.sql.exec('DELETE FROM rebuild');
    else
      this.sql.exec(
        'INSERT OR REPLACE INTO rebuild (one, total, started_at, force, target, reason) VALUES (1, ?, ?, ?, ?, ?)',
        r.total,
        r.startedAt,
        r.force ? 1 : 0,
        r.target,
        r.reason,
      );
  }

  doc(k: string): DocRow | null {
    const r = this.sql
      .exec<{ etag: string; last_modified: number; rv: number }>('SELECT etag, last_modified, rv FROM docs WHERE key = ?', k)
      .toArray()[0];
    return r ? { etag: r.etag, lastModified: r.last_modified, rv: r.rv } : null;
  }

  saveDoc(k: string, row: DocRow): void {
    this.sql.exec('INSERT OR REPLACE INTO docs (key, etag, last_modified, rv) VALUES (?, ?, ?, ?)', k, row.etag, row.lastModified, row.rv);
  }

  dropDoc(k: string): void {
    this.sql.exec('DELETE FROM docs WHERE key = ?', k);
  }

  /** Keys of the documents held under `prefix` (a partner's, say), for deleting what it no longer has. */
  docKeysUnder(prefix: string): string[] {
    return this.sql
      .exec<{ key: string }>('SELECT key FROM docs WHERE key >= ? AND key < ? ORDER BY key', prefix, `${prefix}\uffff`)
      .toArray()
      .map((r) => r.key);
  }

  docCount(): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM docs').one().n;
  }
}
