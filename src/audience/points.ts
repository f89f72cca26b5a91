// The audience data point: one shape for every count, and how it is laid out in Workers Analytics Engine.

/**
 * What a data point counts: a feed poll, an item page view by a person, a partner's fetch of its
 * document, a player event sent by the embed page's beacon, a use of the item page's share control, a
 * request for an enclosure through the download route.
 */
export type PointKind = 'poll' | 'view' | 'delivery' | 'embed' | 'share' | 'download';

/** What the player's beacon reports, in the order a viewer reaches them. */
export const EMBED_EVENTS = ['impression', 'play', 'q25', 'q50', 'q75', 'complete'] as const;
export type EmbedEvent = (typeof EMBED_EVENTS)[number];

/** The series metric each player event is rolled up into (dim item and dim site alike). */
export const EMBED_METRICS: Readonly<Record<EmbedEvent, string>> = {
  impression: 'impressions',
  play: 'plays',
  q25: 'q25',
  q50: 'q50',
  q75: 'q75',
  complete: 'completes',
};

/** How a share control was used: the Web Share API's sheet, or the link copied. */
export const SHARE_SOURCES = ['share', 'copy'] as const;
export type ShareSource = (typeof SHARE_SOURCES)[number];

/**
 * One counted request. Never an address, a cookie or a User-Agent: `visitor` is a hash made with a salt
 * that is forgotten after its UTC day (poll, view, embed, share), or a salted hash of the network (delivery).
 */
export interface AudiencePoint {
  kind: PointKind;
  /** Milliseconds since the epoch. */
  at: number;
  /** The feed's path (poll), the item's slug (view, embed, share, download), the partner's id (delivery). */
  key: string;
  /**
   * The aggregator's name (poll through a service, else ""), the credential's id (delivery), the
   * embedding site's origin ("" when unknown; embed), "share" or "copy" (share).
   */
  source: string;
  /** The partner document's path (delivery), the player event (embed), the enclosure's path (download), else "". */
  doc: string;
  /** The ETag answered (delivery), else "". */
  etag: string;
  /** The visitor's daily key (poll by a direct poller, view, embed, share, download), the network's key (delivery), else "". */
  visitor: string;
  /** The HTTP status answered: 200 or 304 (204 for a beacon; 200, 206 or 302 for a download). */
  status: number;
  /** The subscriber count an aggregator reported in its User-Agent (poll), else 0. */
  subscribers: number;
  /** The bytes of the file a download asked for (its Range header, else the whole file), else 0. */
  bytes: number;
  /** How many bytes make one minute of that file (a download counts once the day's requests reach it), else 0. */
  minute: number;
}

/** A point with how many requests it stands for (Analytics Engine samples; grouped rows); `bytes` is their sum. */
export interface WeightedPoint extends AudiencePoint {
  n: number;
  /**
   * How many visitors one visitor stands for: Analytics Engine's sample interval (the largest in a
   * grouped row), 1 for the local sink's points. A visitor first seen today adds this, not 1.
   */
  w: number;
}

/**
 * The Analytics Engine layout: blob1…blob6 and double1…double5 in this order; the one index is kind:key.
 * New fields are only ever appended, so points written before read back the same (a missing double is 0).
 */
export const BLOBS = ['kind', 'key', 'source', 'doc', 'etag', 'visitor'] as const;
export const DOUBLES = ['at', 'status', 'subscribers', 'bytes', 'minute'] as const;

// Analytics Engine takes an index of at most 96 bytes; it is the sampling key, so kind and key together.
const MAX_INDEX_BYTES = 96;
const encoder = new TextEncoder();

/** The point as `writeDataPoint` takes it. */
export function dataPoint(p: AudiencePoint): AnalyticsEngineDataPoint {
  let index = `${p.kind}:${p.key}`;
  while (encoder.encode(index).byteLength > MAX_INDEX_BYTES) index = index.slice(0, -1);
  return { indexes: [index], blobs: BLOBS.map((b) => p[b]), doubles: DOUBLES.map((d) => p[d]) };
}
