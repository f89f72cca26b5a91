// Preflight: the reasons a partner would refuse an item or a document, from each partner's published limits.
import type { Partner, Profile } from '../model/partner';
import type { Site } from '../model/schema';
import { partnerImage, type PartnerRecord } from './types';

/** One reason a partner would refuse an item, naming the field as the newsroom knows it. */
export interface PreflightProblem {
  field: string;
  reason: string;
}

const DAY = 86_400_000;

/**
 * Each profile's limits, from its specification:
 * - msn: MSN Partner Hub, "Feed item metadata requirements" (titles more than 20 and at most 150
 *   characters without a short title; published in the past and under 365 days old) and "Feed content
 *   specifications" (images at least 720 px in height or width; only articles with an image are
 *   auto-published). The 10 MB feed limit is the one DESIGN.md gives; no public MSN page stated it.
 * - smartnews: SmartFormat 2.1, "Restrictions: file size" (the whole file within 1 MB recommended).
 * - flipboard: "Optimizing your RSS feed for Flipboard" (https://about.flipboard.com/rss-spec/): the
 *   entire body, and at least one image no less than 400 px in the smallest dimension.
 * - newsbreak: Publisher FAQ (https://support.newsbreak.com/publisher-faq): full article text and
 *   image content; snippets and articles without images are not permitted.
 */
export const LIMITS_BY_PROFILE = {
  msn: { titleMin: 21, titleMax: 150, imageMin: 720, maxAgeDays: 365, docBytes: 10 * 1024 * 1024 },
  smartnews: { docBytes: 1024 * 1024 },
  flipboard: { imageMinSide: 400 },
  newsbreak: {},
} as const;

/** The most bytes a profile's document may have, when its specification sets one. */
export function docLimit(profile: Profile): number | undefined {
  return profile === 'msn' ? LIMITS_BY_PROFILE.msn.docBytes : profile === 'smartnews' ? LIMITS_BY_PROFILE.smartnews.docBytes : undefined;
}

/**
 * Why `partner` would refuse `item` (empty when it would take it). `now` matters only for MSN's
 * 365-day window. `_site` is part of the contract for limits that depend on site settings.
 */
export function preflight(
  partner: Pick<Partner, 'profile' | 'content'>,
  item: PartnerRecord,
  _site: Site,
  now: number,
): PreflightProblem[] {
  const out: PreflightProblem[] = [];
  const image = partnerImage(item);
  const imageField = item.image ? 'image.syndication' : 'image';
  const fullText = partner.content !== 'summary';
  switch (partner.profile) {
    case 'msn': {
      const { titleMin, titleMax, imageMin, maxAgeDays } = LIMITS_BY_PROFILE.msn;
      const n = [...item.title].length;
      if (n < titleMin) out.push({ field: 'title', reason: `MSN needs titles of more than 20 characters; this one has ${n}` });
      if (n > titleMax)
        out.push({ field: 'title', reason: `MSN removes titles over ${titleMax} characters without a short title; this one has ${n}` });
      if (!image) out.push({ field: imageField, reason: 'MSN auto-publishes only articles with an image; this item sends none' });
      else if (Math.max(image.width, image.height) < imageMin) {
        out.push({
          field: 'image',
          reason: `MSN needs images at least ${imageMin} px in height or width; this one is ${image.width}×${image.height}`,
        });
      }
      if (now - Date.parse(item.published) >= maxAgeDays * DAY) {
        out.push({ field: 'published', reason: `MSN ingests only items published less than ${maxAgeDays} days ago` });
      }
      break;
    }
    case 'flipboard': {
      const min = LIMITS_BY_PROFILE.flipboard.imageMinSide;
      if (!fullText) out.push({ field: 'body', reason: 'Flipboard requires the entire body, and this partner takes summaries only' });
      if (!image) out.push({ field: imageField, reason: 'Flipboard requires at least one image per article; this item sends none' });
      else if (Math.min(image.width, image.height) < min) {
        out.push({
          field: 'image',
          reason: `Flipboard needs images no less than ${min} px in the smallest dimension; this one is ${image.width}×${image.height}`,
        });
      }
      break;
    }
    case 'newsbreak':
      if (!fullText) out.push({ field: 'body', reason: 'NewsBreak permits full articles only, and this partner takes summaries only' });
      else if (!item.body.trim()) out.push({ field: 'body', reason: 'NewsBreak permits full articles only; this item has no body' });
      if (!image) out.push({ field: imageField, reason: 'NewsBreak does not permit articles without images; this item sends none' });
      break;
    default:
      break;
  }
  return out;
}

/**
 * Keeps the newest entries whose document fits `limit` bytes: renders with fewer and fewer of the
 * oldest entries (a binary search, so a few renders) and reports the ones left out.
 */
export function fitToLimit<E>(entries: readonly E[], render: (kept: readonly E[]) => string, limit: number | undefined) {
  const bytes = (s: string) => new TextEncoder().encode(s).byteLength;
  const full = render(entries);
  if (limit === undefined || bytes(full) <= limit) return { text: full, kept: entries.length, dropped: [] as E[] };
  let lo = 0; // fits (an empty document always does, or nothing can be done)
  let hi = entries.length; // does not fit
  let best = render([]);
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    const text = render(entries.slice(0, mid));
    if (bytes(text) <= limit) [lo, best] = [mid, text];
    else hi = mid;
  }
  return { text: best, kept: lo, dropped: entries.slice(lo) };
}
