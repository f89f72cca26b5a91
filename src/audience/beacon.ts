// The beacon the embed player and the share control send: its schema, and the data points it makes.
import * as v from 'valibot';
import { invalid } from '../errors';
import { LIMITS, SLUG_PATTERN } from '../model/limits';
import { EMBED_EVENTS, SHARE_SOURCES, type AudiencePoint, type EmbedEvent, type ShareSource } from './points';

/** A beacon body is a few dozen bytes; anything past this is not read at all. */
export const MAX_BEACON_BYTES = 2048;

// An origin as `new URL(…).origin` spells it: scheme, host and port, nothing after.
const isOrigin = (s: string): boolean => {
  if (s === '') return true;
  try {
    const u = new URL(s);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === s;
  } catch {
    return false;
  }
};

const BEACON_EVENTS = [...EMBED_EVENTS, 'share'] as const;

const BeaconSchema = v.pipe(
  v.object({
    item: v.pipe(
      v.string('must be an item slug'),
      v.maxLength(LIMITS.slug, `must be at most ${LIMITS.slug} characters`),
      v.regex(SLUG_PATTERN, 'must be an item slug'),
    ),
    events: v.pipe(
      v.array(v.picklist(BEACON_EVENTS, `must be one of ${BEACON_EVENTS.join(', ')}`), 'must be a list of events'),
      v.minLength(1, 'must name at least one event'),
      v.maxLength(BEACON_EVENTS.length, `must hold at most ${BEACON_EVENTS.length} events`),
      v.check((e) => new Set(e).size === e.length, 'must not repeat an event'),
    ),
    site: v.optional(
      v.pipe(
        v.string('must be an origin'),
        v.maxLength(256, 'must be at most 256 characters'),
        v.check(isOrigin, 'must be an origin, e.g. https://example.com, or ""'),
      ),
    ),
    source: v.optional(v.picklist(SHARE_SOURCES, `must be one of ${SHARE_SOURCES.join(', ')}`)),
  }),
  v.forward(
    v.check((b) => !b.events.includes('share') || b.events.length === 1, 'a share is sent on its own, without player events'),
    ['events'],
  ),
  v.forward(
    v.check((b) => b.events.includes('share') === (b.source !== undefined), 'is required with a share (share or copy), and only then'),
    ['source'],
  ),
);

/** A valid beacon: player events from one page for one item, or one use of the share control. */
export type Beacon =
  { kind: 'embed'; item: string; events: EmbedEvent[]; site: string } | { kind: 'share'; item: string; source: ShareSource };

/** Parses a beacon body already read as JSON; a 422 naming the first bad field (and every one in `errors`). */
export function parseBeacon(body: unknown): Beacon {
  const r = v.safeParse(BeaconSchema, body);
  if (!r.success) throw invalid(r.issues);
  const b = r.output;
  if (b.source) return { kind: 'share', item: b.item, source: b.source };
  return { kind: 'embed', item: b.item, events: b.events as EmbedEvent[], site: b.site ?? '' };
}

/** The data points a beacon makes for a visitor: one per player event, or one share. */
export function beaconPoints(b: Beacon, visitor: string, at: number): AudiencePoint[] {
  const base = { at, key: b.item, etag: '', visitor, status: 204, subscribers: 0, bytes: 0, minute: 0 };
  if (b.kind === 'share') return [{ ...base, kind: 'share', source: b.source, doc: '' }];
  return b.events.map((event) => ({ ...base, kind: 'embed', source: b.site, doc: event }));
}
