// Whether a partner gets an item now, why not, and when that answer next changes (for the writer's alarm).
import { nameKey } from '../model/names';
import type { Partner } from '../model/partner';
import type { Site } from '../model/schema';
import { preflight, type PreflightProblem } from './preflight';
import type { PartnerRecord } from './types';

/** One reason a partner does not get an item now. */
export type Refusal =
  | { reason: 'syndication none'; message: string }
  | { reason: 'not listed'; message: string }
  | { reason: 'out of scope'; message: string }
  | { reason: 'scheduled'; message: string; until: string }
  | { reason: 'embargoed'; message: string; until: string }
  | { reason: 'expired'; message: string; at: string }
  | { reason: 'preflight'; message: string; problems: PreflightProblem[] };

/**
 * `deliver`: 'item' — the partner's documents carry the item; 'expired' — they carry its expiry in
 * the partner's idiom; 'none' — they carry nothing of it. `nextChange` (ms since the epoch) is the
 * next instant the answer may change by itself: publication, an embargo's end, the expiry, or MSN's
 * 365-day window. Edits to the item, the partner or the rights change it too, and are the writer's to see.
 */
export interface Decision {
  deliver: 'item' | 'expired' | 'none';
  refusals: Refusal[];
  nextChange?: number;
}

const DAY = 86_400_000;

/** The embargo that holds the item for this partner: its own, else the one for every partner ("*"). */
export function embargoFor(item: PartnerRecord, partnerId: string): string | undefined {
  const e = item.rights?.embargo;
  return e?.[partnerId] ?? e?.['*'];
}

/** True when the item matches every filter of the partner's scope (any value within one). */
export function inScope(partner: Pick<Partner, 'scope'>, item: PartnerRecord): boolean {
  const s = partner.scope;
  if (!s) return true;
  if (s.kinds && !s.kinds.includes(item.kind)) return false;
  if (s.sections && !(item.section && s.sections.some((x) => nameKey(x) === nameKey(item.section as string)))) return false;
  if (s.tags) {
    const tags = new Set(item.tags.map(nameKey));
    if (!s.tags.some((t) => tags.has(nameKey(t)))) return false;
  }
  return true;
}

/** Decides, at `now`, what `partner` gets of `item` (a published or scheduled record with its rights). */
export function decide(item: PartnerRecord, partner: Partner, site: Site, now: number): Decision {
  const rights = item.rights;
  const syndication = rights?.syndication ?? 'all';
  // Wire copy the newsroom may not pass on: no document of any partner, not even a takedown.
  if (syndication === 'none')
    return { deliver: 'none', refusals: [{ reason: 'syndication none', message: 'the item\'s rights say "syndication": "none"' }] };
  const refusals: Refusal[] = [];
  if (Array.isArray(syndication) && !syndication.includes(partner.id)) {
    refusals.push({ reason: 'not listed', message: `rights.syndication does not list "${partner.id}"` });
  }
  if (!inScope(partner, item))
    refusals.push({ reason: 'out of scope', message: "the item matches no value of some filter of the partner's scope" });
  if (refusals.length) return { deliver: 'none', refusals };

  const times: number[] = [];
  const published = Date.parse(item.published);
  if (published > now) {
    refusals.push({ reason: 'scheduled', message: `the item is published at ${item.published}`, until: item.published });
    times.push(published);
  }
  const embargo = embargoFor(item, partner.id);
  if (embargo && Date.parse(embargo) > now) {
    refusals.push({ reason: 'embargoed', message: `embargoed until ${embargo}`, until: embargo });
    times.push(Date.parse(embargo));
  }
  const expires = rights?.expires;
  if (expires && Date.parse(expires) <= now) {
    // An expiry is only news to a partner that could have had the item: one held back until then never gets it.
    const couldHave = !refusals.length;
    return { deliver: couldHave ? 'expired' : 'none', refusals: [{ reason: 'expired', message: `expired at ${expires}`, at: expires }] };
  }
  if (expires) times.push(Date.parse(expires));
  if (!refusals.length) {
    const problems = preflight(partner, item, site, now);
    if (problems.length)
      refusals.push({ reason: 'preflight', message: problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems });
    if (partner.profile === 'msn') {
      const ages = published + 365 * DAY;
      if (ages > now) times.push(ages);
    }
  }
  const future = times.filter((t) => t > now);
  return {
    deliver: refusals.length ? 'none' : 'item',
    refusals,
    ...(future.length ? { nextChange: Math.min(...future) } : {}),
  };
}

/**
 * Whether a withdrawal at `at` must reach `partner` as a takedown: only when the partner had the item
 * just before (a partner that never got it, or may never get it, hears nothing of it).
 */
export function takedownDue(item: PartnerRecord, partner: Partner, site: Site, at: number): boolean {
  return decide(item, partner, site, at - 1).deliver === 'item';
}
