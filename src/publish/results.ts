// What the writer answers: publish, import and site-settings results, and conflicts.

/** What a write did, for the API answer, WebSub pings and the benchmark. */
export interface PublishResult {
  ok: true;
  id: string;
  slug: string;
  created: boolean;
  changed: boolean;
  kvWrites: number;
  kvDeletes: number;
  /** Jobs left for the alarm because their documents were written less than a gap ago. */
  deferred: number;
  /** Paths of subscription feeds whose content changed. */
  changedFeeds: string[];
  /** Every document path written or deleted (so the caller's isolate can drop warm copies). */
  paths: string[];
  slugs: string[];
}

export interface PublishConflict {
  ok: false;
  status: 404 | 409;
  field: string;
  detail: string;
}

export type ImportResult =
  | { ok: true; imported: number; kvWrites: number; deferred: number; paths: string[]; slugs: string[] }
  | (PublishConflict & { index: number });

/** A site settings change answered with what it wrote, and how many rewrites the alarm still owes. */
export type SiteResult = Omit<PublishResult, 'ok' | 'id' | 'slug' | 'created'> & { pending: number };
