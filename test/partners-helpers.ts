// Shared by the partners-*.test.ts files: partners and items as the API takes them, and partner documents read straight from KV.
import { env } from 'cloudflare:test';
import { expect } from 'vitest';
import { partnerFeedPath, partnerItemPath, partnerListPath } from '../src/partners/types';
import { partnerKey } from '../src/store/kv-store';
import { api, parseXml, syntheticItem } from './helpers';

export const iso = (ms: number) => new Date(ms).toISOString();

/** An article every profile takes: recent, a long title, a large picture; in `section`. */
export const article = (n: number, extra: Record<string, unknown> = {}) =>
  syntheticItem(n, {
    slug: `story-${n}`,
    title: `A headline long enough for every partner, number ${n}`,
    published: iso(Date.now() - 3_600_000 + n * 1000),
    section: 'World',
    image: { url: '/media/a.jpg', width: 1200, height: 800, alt: 'A picture' },
    ...extra,
  });

/** Creates or changes a partner, failing loudly on anything but 200/201/202. */
export async function putPartner(id: string, body: Record<string, unknown>): Promise<any> {
  const res = await api('PUT', `/partners/${id}`, body);
  if (![200, 201, 202].includes(res.status)) throw new Error(`partner ${id}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** A partner document's body as KV holds it, or null. */
export const partnerDoc = (path: string) => env.FEEDS.get(partnerKey(path));

/** The items of an RSS-profile partner's feed, parsed with a real XML parser (none when it has no feed). */
export async function feedItems(id: string): Promise<any[]> {
  const text = await partnerDoc(partnerFeedPath(id));
  if (text === null) return [];
  const doc = parseXml(text);
  expect(doc.rss.channel).toBeDefined();
  return doc.rss.channel.item ?? [];
}

/** The objects of a ninjs partner's newest list page (none when it has no list). */
export async function ninjsList(id: string, page = 0): Promise<any[]> {
  const text = await partnerDoc(partnerListPath(id, page));
  return text === null ? [] : (JSON.parse(text) as { items: any[] }).items;
}

/** A ninjs partner's document for one item, parsed, or null. */
export async function ninjsItem(id: string, slug: string): Promise<any> {
  const text = await partnerDoc(partnerItemPath(id, slug));
  return text === null ? null : JSON.parse(text);
}

/** Every partner document key KV holds. */
export async function partnerKeys(): Promise<string[]> {
  return (await env.FEEDS.list({ prefix: 'partner:' })).keys.map((k) => k.name);
}

/** Every partner document in KV, concatenated: for checking an item reaches none of them. */
export async function allPartnerText(): Promise<string> {
  const texts = await Promise.all((await partnerKeys()).map((k) => env.FEEDS.get(k)));
  return texts.join('\n');
}

/** An RSS item's link (the test parser reads `link` as a list). */
export const linkOf = (item: any): string => [item.link].flat()[0];
