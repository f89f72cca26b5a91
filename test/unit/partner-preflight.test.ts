// Preflight: each partner's published limits as reasons naming the field, and the size limits that
// leave the oldest entries out of MSN's and SmartNews's documents.
import { describe, expect, it } from 'vitest';
import { fitToLimit, preflight } from '../../src/partners/preflight';
import { renderPartnerDoc } from '../../src/partners/render';
import type { PartnerDoc, PartnerRecord } from '../../src/partners/types';
import { SITE, contentRecords, live, partner, toRecord } from '../partner-fixtures';

const now = Date.parse('2026-06-01T00:00:00Z');
const item = (extra: Record<string, unknown> = {}): PartnerRecord =>
  toRecord(
    {
      slug: 'preflight',
      kind: 'article',
      title: 'A headline of a perfectly ordinary length',
      summary: 'Summary.',
      body: 'Body.',
      published: '2026-05-01T00:00:00Z',
      image: { url: '/media/a.jpg', width: 1200, height: 800, alt: 'A picture' },
      ...extra,
    },
    1,
  );
const reasons = (profile: Parameters<typeof partner>[0], i: PartnerRecord, content: 'full' | 'summary' = 'full') =>
  preflight(partner(profile, { content }), i, SITE, now).map((p) => p.field);

describe('preflight', () => {
  it('an item every profile takes', () => {
    for (const p of ['rss', 'msn', 'smartnews', 'flipboard', 'newsbreak', 'ninjs'] as const) expect(reasons(p, item()), p).toEqual([]);
  });

  it('MSN: titles of 21 to 150 characters, a promo image at least 720 px on one side, under 365 days old', () => {
    expect(reasons('msn', item({ title: 'x'.repeat(20) }))).toEqual(['title']);
    expect(reasons('msn', item({ title: 'x'.repeat(21) }))).toEqual([]);
    expect(reasons('msn', item({ title: 'x'.repeat(150) }))).toEqual([]);
    expect(reasons('msn', item({ title: 'x'.repeat(151) }))).toEqual(['title']);
    expect(reasons('msn', item({ image: undefined }))).toEqual(['image']);
    expect(reasons('msn', item({ image: { url: '/a.jpg', width: 719, height: 400, alt: 'a' } }))).toEqual(['image']);
    expect(reasons('msn', item({ image: { url: '/a.jpg', width: 400, height: 720, alt: 'a' } }))).toEqual([]);
    expect(reasons('msn', item({ published: '2025-06-01T00:00:00Z' }))).toEqual(['published']);
    const p = preflight(partner('msn'), item({ title: 'Short' }), SITE, now)[0];
    expect(p?.reason).toBe('MSN needs titles of more than 20 characters; this one has 5');
  });

  it('image.syndication false counts as no picture, and says which field to change', () => {
    const i = item();
    const kept = { ...i, image: { ...i.image!, syndication: false } };
    expect(preflight(partner('msn'), kept, SITE, now)).toEqual([
      { field: 'image.syndication', reason: 'MSN auto-publishes only articles with an image; this item sends none' },
    ]);
    expect(reasons('newsbreak', kept)).toEqual(['image.syndication']);
    expect(reasons('rss', kept)).toEqual([]);
  });

  it('Flipboard: full text and an image no less than 400 px on its smaller side', () => {
    expect(reasons('flipboard', item({ image: { url: '/a.jpg', width: 1200, height: 399, alt: 'a' } }))).toEqual(['image']);
    expect(reasons('flipboard', item({ image: undefined }))).toEqual(['image']);
    expect(reasons('flipboard', item(), 'summary')).toEqual(['body']);
  });

  it('NewsBreak: full articles with images only', () => {
    expect(reasons('newsbreak', item({ body: '' }))).toEqual(['body']);
    expect(reasons('newsbreak', item(), 'summary')).toEqual(['body']);
    expect(reasons('newsbreak', item({ image: undefined }))).toEqual(['image']);
  });

  it('fitToLimit keeps the newest entries that fit and reports the rest', () => {
    const render = (xs: readonly number[]) => 'x'.repeat(10 * xs.length);
    expect(fitToLimit([1, 2, 3, 4, 5], render, 35)).toEqual({ text: 'x'.repeat(30), kept: 3, dropped: [4, 5] });
    expect(fitToLimit([1, 2], render, undefined).dropped).toEqual([]);
    expect(fitToLimit([1, 2], render, 5)).toEqual({ text: '', kept: 0, dropped: [1, 2] });
  });

  it("SmartNews's document stays within 1 MiB, leaving out the oldest; MSN takes the same items whole", () => {
    const big = 'A long paragraph of the story, repeated until the item is large. '.repeat(1500);
    const entries = Array.from({ length: 12 }, (_, n) =>
      live(item({ slug: `big-${n}`, published: new Date(Date.UTC(2026, 4, 20 - n)).toISOString(), body: big })),
    );
    const doc = (profile: 'smartnews' | 'msn'): PartnerDoc => ({ site: SITE, partner: partner(profile), entries });
    const sn = renderPartnerDoc(doc('smartnews'));
    expect(new TextEncoder().encode(sn.text).byteLength).toBeLessThanOrEqual(1024 * 1024);
    expect(sn.dropped.length).toBeGreaterThan(0);
    expect(sn.dropped.map((e) => e.item.slug)).toEqual(entries.slice(entries.length - sn.dropped.length).map((e) => e.item.slug));
    expect(sn.text).toContain('big-0');
    expect(renderPartnerDoc(doc('msn')).dropped).toEqual([]);
    expect(renderPartnerDoc({ site: SITE, partner: partner('smartnews'), entries: contentRecords().map(live) }).dropped).toEqual([]);
  });
});
