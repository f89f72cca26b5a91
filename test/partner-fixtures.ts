/// <reference types="vite/client" />
// Partner test fixtures, shared by the workerd and Node tests: content/ and the hostile items as the
// records the writer would store (through the one schema, as stage() builds them), and a site.
import * as v from 'valibot';
import { parseItemFile, parseSiteFile, publicationOrder } from '../scripts/content.mjs';
import { baseSlug } from '../src/model/names';
import type { Partner } from '../src/model/partner';
import { newItemId } from '../src/model/paths';
import { ItemInput, ItemRecord, SiteSettings, type Site } from '../src/model/schema';
import { renderMarkdown } from '../src/render/markdown';
import type { PartnerEntry, PartnerRecord } from '../src/partners/types';
import { hostileItems } from './node/hostile-items';

const itemFiles = import.meta.glob('../content/items/*.md', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
const siteFiles = import.meta.glob('../content/site.yaml', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

export const SITE: Site = {
  ...v.parse(SiteSettings, parseSiteFile(Object.values(siteFiles)[0] as string)),
  url: 'https://news.example',
  hub: 'https://hub.example/',
  pageSize: 20,
};

/** The record the writer would store for an API body, checked against ItemRecord. */
export function toRecord(body: Record<string, unknown>, seq: number, site: Site = SITE): ItemRecord {
  const input = v.parse(ItemInput, body);
  const authors = input.authors ?? [{ name: site.author }];
  const tags = input.tags ?? [];
  return v.parse(ItemRecord, {
    ...input,
    id: input.id ?? newItemId(site.url, input.slug, input.published),
    language: input.language ?? site.language,
    authors,
    tags,
    seq,
    bodyHtml: renderMarkdown(input.body, site.url),
    refs: {
      authors: authors.map((a) => baseSlug(a.name)),
      tags: tags.map((t) => baseSlug(t)),
      ...(input.section ? { section: baseSlug(input.section) } : {}),
    },
  });
}

const bodies = publicationOrder(Object.entries(itemFiles).map(([path, text]) => parseItemFile(text, path.split('/').pop() as string)));

/** content/ as records, newest first (as documents list them). */
export const contentRecords = (): PartnerRecord[] => bodies.map((b, i) => toRecord(b, i + 1)).reverse();
/** The hostile items as records, newest first. */
export const hostileRecords = (): PartnerRecord[] =>
  hostileItems()
    .map((b, i) => toRecord(b, i + 100))
    .reverse();

export const live = (item: PartnerRecord): PartnerEntry => ({ item, status: 'live', changedAt: item.updated ?? item.published });

export const partner = (profile: Partner['profile'], extra: Partial<Partner> = {}): Partner => ({
  id: `${profile}-partner`,
  name: `${profile} partner`,
  profile,
  content: 'full',
  ...extra,
});
