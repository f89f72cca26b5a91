// What the writer answers: publish, import, site and rebuild results, refusals, and its status.
import type { Job } from './jobs';
import type { FlushStats } from './kv-writer';
import type { PartnerOutcome } from './partner-ops';

/** Why the writer refused a change; nothing was changed. */
export interface Rejection {
  ok: false;
  status: 404 | 409 | 412 | 413 | 422;
  field: string;
  message: string;
}

export const reject = (status: Rejection['status'], field: string, message: string): Rejection => ({ ok: false, status, field, message });

/** A refusal when `ifMatch` (an If-Match header) does not name the item's current `etag`; null when it does or is absent. */
export function ifMatchRefusal(ifMatch: string | undefined, etag: string | undefined): Rejection | null {
  if (ifMatch === undefined || ifMatch.trim() === '*' || ifMatch.split(',').some((t) => t.trim() === etag)) return null;
  return reject(412, 'If-Match', etag ? `the item has changed since ${ifMatch} (now ${etag}); fetch it again` : 'no such item is stored');
}

/** An item as the newsroom sees it after a write. */
export interface ItemOutcome {
  id: string;
  slug: string;
  state: 'published' | 'scheduled';
  created: boolean;
  changed: boolean;
  etag: string;
}

export type PublishResult = { ok: true } & ItemOutcome & FlushStats;

export type ImportResult = ({ ok: true; items: ItemOutcome[] } & FlushStats) | { ok: false; rejections: (Rejection & { index: number })[] };

/** What PUT /api/partners/:id answers. */
export type PartnerResult = ({ ok: true } & PartnerOutcome & FlushStats) | Rejection;
/** What DELETE /api/partners/:id answers. */
export type PartnerDeleted = ({ ok: true; id: string } & FlushStats) | Rejection;

export type SiteResult = { changed: boolean; rebuild: RebuildProgress | null } & FlushStats;

/** A full re-render working through its backlog. */
export interface RebuildProgress {
  total: number;
  done: number;
  startedAt: string;
  reason: string;
}

/** What GET /api/status shows: the writer's state at a glance. */
export interface WriterStatus {
  items: { published: number; scheduled: number };
  scheduled: { slug: string; publishAt: string }[];
  jobs: { pending: number; backlog: number; failed: number };
  /** Live counts: the pages they still owe (apart from publish and rebuild work), and when they were last applied. */
  liveCounts: { owed: number; appliedAt: string | null };
  failed: { job: Job; error: string; at: string }[];
  render: { version: number; stored: number | null; rebuild: RebuildProgress | null };
  documents: number;
  lastPublish: string | null;
  hub: { url: string | null; queued: number; pings: { topic: string; at: string; ok: boolean; detail: string }[] };
  /** `queued`: tags waiting in all, the repeats after KV settles included; `due`: those the next call sends now (0 while the rate limit holds them). */
  edgeCache: { lastPurge: string | null; result: string | null; queued: number; due: number };
}
