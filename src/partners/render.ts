// One entry point for the writer: a partner's document by its profile, within the profile's size limit.
import type { Profile } from '../model/partner';
import { renderFlipboard } from './flipboard';
import { renderMsn } from './msn';
import { renderNewsbreak } from './newsbreak';
import { renderNinjsList } from './ninjs';
import { docLimit, fitToLimit } from './preflight';
import { renderRssProfile } from './rss';
import { renderSmartnews } from './smartnews';
import type { PartnerDoc, PartnerEntry } from './types';

export const RENDERERS: Record<Profile, (doc: PartnerDoc) => string> = {
  rss: renderRssProfile,
  msn: renderMsn,
  smartnews: renderSmartnews,
  flipboard: renderFlipboard,
  newsbreak: renderNewsbreak,
  ninjs: renderNinjsList,
};

/**
 * Renders the partner's document (its feed, or for ninjs a list page). When the profile has a size
 * limit (MSN 10 MB, SmartNews 1 MB), the oldest entries past it are left out and returned in
 * `dropped`, so preflight can report them.
 */
export function renderPartnerDoc(doc: PartnerDoc): { text: string; dropped: PartnerEntry[] } {
  const render = RENDERERS[doc.partner.profile];
  const { text, dropped } = fitToLimit(doc.entries, (entries) => render({ ...doc, entries: [...entries] }), docLimit(doc.partner.profile));
  return { text, dropped };
}
