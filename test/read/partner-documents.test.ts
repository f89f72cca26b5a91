// Partner documents end to end: written by the writer at publish time, served only through the
// gateway with that partner's credential, and read back with real parsers, profile by profile.
import { describe, expect, it } from 'vitest';
import type { Profile } from '../../src/model/partner';
import { api, contentItems, get, parseXml, publishContent } from '../helpers';
import { fetchAs, issue, whole } from '../partner-helpers';
import { putPartner } from '../partners-helpers';

const PROFILES: Profile[] = ['rss', 'msn', 'smartnews', 'flipboard', 'newsbreak', 'ninjs'];
const WIRE = contentItems.find((i) => (i.rights as { syndication?: string } | undefined)?.syndication === 'none');
// Every profile takes this one: a recent video with a long title and a large poster, published last.
const FRESH = {
  ...(contentItems.find((i) => i.kind === 'video') as Record<string, unknown>),
  slug: 'fresh-video-for-partners',
  title: 'A fresh video report long enough for every partner to carry it today',
  published: new Date(Date.now() - 3_600_000).toISOString(),
  image: { url: '/media/liaison-office.jpg', width: 1280, height: 720, alt: 'The liaison office' },
};

describe('partner documents through the gateway', () => {
  it('each profile is served to its own credential only, parsed with a real parser, without the wire copy', async () => {
    expect(WIRE, 'content/ has a wire-copy item').toBeDefined();
    await publishContent();
    for (const p of PROFILES) await putPartner(`p-${p}`, { name: `Partner ${p}`, profile: p });
    const fresh = await api('PUT', `/items/${FRESH.slug}`, FRESH);
    expect([200, 201]).toContain(fresh.status);

    const creds = new Map<Profile, Awaited<ReturnType<typeof issue>>>();
    for (const p of PROFILES) creds.set(p, await issue(`p-${p}`, 'bearer'));
    const refusal = await whole(await get('/partners/p-rss/feed.xml'));
    expect(refusal.status).toBe(401);

    for (const p of PROFILES) {
      const c = creds.get(p)!;
      const path = new URL(c.feed_url).pathname;
      const res = await fetchAs(path, c);
      expect(res.status, `${p} ${path}`).toBe(200);
      expect(res.headers.get('Cache-Control')).toMatch(/^private/);
      const body = await res.text();
      expect(body, `${p} carries no wire copy`).not.toContain(WIRE!.slug as string);
      expect(body, `${p} carries the fresh video`).toContain(FRESH.slug);
      if (p === 'ninjs') {
        const list = JSON.parse(body) as { items: { uri: string; headlines?: { value: string }[] }[] };
        expect(list.items.some((o) => JSON.stringify(o).includes(FRESH.title))).toBe(true);
        const one = await fetchAs(`/partners/p-ninjs/items/${FRESH.slug}.json`, c);
        expect(one.status).toBe(200);
        expect(JSON.stringify(await one.json())).toContain(FRESH.title);
      } else {
        const items = parseXml(body).rss.channel.item as { title: unknown; link: unknown }[];
        expect(items.length, p).toBeGreaterThan(0);
        expect(JSON.stringify(items)).toContain(FRESH.slug);
      }
      // The same address without a credential, with another partner's, or publicly by another name: the one 401.
      const other = creds.get(p === 'rss' ? 'msn' : 'rss')!;
      for (const res2 of [await get(path), await fetchAs(path, other)]) {
        const w = await whole(res2);
        expect(w.status).toBe(401);
        expect(w.body).not.toContain(FRESH.slug);
      }
    }
    // Public feeds still carry the wire copy: only partners may not.
    expect(await (await get('/feed.xml')).text()).toContain(WIRE!.slug as string);
  });
});
