// Issue 8 §4: names from every script get their own readable, stable slugs; two names never share a feed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nameKey } from '../../src/model/names';
import { ORIGIN, api, get, parseXml, publish, syntheticItem } from '../helpers';
import { cleaned, fieldText } from '../arbitraries';

/** The slug an item's first author got, read from its oEmbed answer (author_url is the author's page). */
async function authorSlug(slug: string): Promise<string> {
  const res = await get(`/oembed?url=${encodeURIComponent(`${ORIGIN}/articles/${slug}`)}`);
  expect(res.status).toBe(200);
  const url = (await res.json<any>()).author_url as string;
  const m = /^http:\/\/127\.0\.0\.1:8787\/authors\/([^/?#]+)$/.exec(url);
  expect(m, url).not.toBeNull();
  // Percent-encoded exactly once: decoding and encoding again gives the same path segment.
  const slugText = decodeURIComponent(m![1]!);
  expect(encodeURIComponent(slugText)).toBe(m![1]);
  return slugText;
}

/** Slugs of an item's tags, in order, from its Atom categories. */
async function tagSlugs(id: string): Promise<string[]> {
  const atom = parseXml(await (await get('/feed.atom')).text());
  const entry = atom.feed.entry.find((e: any) => e.id === id);
  return (entry.category ?? []).filter((c: any) => c['@scheme'].endsWith('/tags/')).map((c: any) => c['@term']);
}

/** A name scope's JSON Feed: its title and the slugs of its items. */
async function scopeFeed(kind: 'authors' | 'tags', slug: string): Promise<{ title: string; slugs: string[] }> {
  const res = await get(`/${kind}/${encodeURIComponent(slug)}/feed.json`);
  expect(res.status, `/${kind}/${slug}`).toBe(200);
  const json = await res.json<any>();
  return { title: json.title, slugs: json.items.map((i: any) => i.url.split('/').pop()).sort() };
}

const byline = (n: number, name: string, extra: Record<string, unknown> = {}) => syntheticItem(n, { authors: [{ name }], ...extra });

describe('author names', () => {
  it('李明 and 王芳 get different scopes, each titled with its own name and holding only its own byline', async () => {
    await publish(byline(1, '李明'));
    await publish(byline(2, '王芳'));
    const [a, b] = [await authorSlug('item-1'), await authorSlug('item-2')];
    expect(a).not.toBe(b);
    expect(a).toBe('李明');
    expect(b).toBe('王芳');
    for (const [slug, name, item] of [
      [a, '李明', 'item-1'],
      [b, '王芳', 'item-2'],
    ] as const) {
      const feed = await scopeFeed('authors', slug);
      expect(feed.title.endsWith(` — ${name}`), feed.title).toBe(true);
      expect(feed.slugs).toEqual([item]);
      const atom = parseXml(await (await get(`/authors/${encodeURIComponent(slug)}/feed.atom`)).text());
      expect(atom.feed.title['#text'] ?? atom.feed.title).toContain(name);
    }
  });

  it('Hangul, Arabic and Devanagari names get readable slugs, served percent-encoded', async () => {
    const names = ['김민지', 'محمد علي', 'राहुल शर्मा', 'Ђорђе Петровић', '김 민지'];
    for (const [i, name] of names.entries()) await publish(byline(i + 1, name));
    const slugs: string[] = [];
    for (const [i, name] of names.entries()) {
      const slug = await authorSlug(`item-${i + 1}`);
      slugs.push(slug);
      // Readable: the name's own letters, words joined by hyphens, in lower case.
      expect(slug).toBe(name.normalize('NFC').toLowerCase().replace(/\s+/g, '-'));
      const feed = await scopeFeed('authors', slug);
      expect(feed.title.endsWith(` — ${name}`)).toBe(true);
      expect(feed.slugs).toEqual([`item-${i + 1}`]);
    }
    expect(new Set(slugs).size).toBe(names.length);
  });

  it('José and Jose are two people; case and spacing variants of one name are one', async () => {
    await publish(byline(1, 'José'));
    await publish(byline(2, 'Jose'));
    await publish(byline(3, 'Libby Hogan'));
    await publish(byline(4, 'libby  hogan'));
    await publish(byline(5, 'LIBBY HOGAN'));
    const [jose1, jose2] = [await authorSlug('item-1'), await authorSlug('item-2')];
    expect(jose1).not.toBe(jose2);
    expect((await scopeFeed('authors', jose1)).slugs).toEqual(['item-1']);
    expect((await scopeFeed('authors', jose2)).slugs).toEqual(['item-2']);
    const libby = await Promise.all(['item-3', 'item-4', 'item-5'].map(authorSlug));
    expect(new Set(libby).size).toBe(1);
    expect((await scopeFeed('authors', libby[0]!)).slugs).toEqual(['item-3', 'item-4', 'item-5']);
  });

  it('a slug once assigned stays: after other names arrive, after edits, after its last item is withdrawn', async () => {
    await publish(byline(1, 'Ana Lima'));
    const first = await authorSlug('item-1');
    // Names that fold to the same base slug arrive later and must not take it.
    await publish(byline(2, 'Ána Lima'));
    await publish(byline(3, 'ANA-LIMA'));
    await publish(byline(4, 'Ana Lima!'));
    await publish(byline(1, 'Ana Lima', { title: 'Edited', updated: '2021-02-01T00:00:00Z' }));
    expect(await authorSlug('item-1')).toBe(first);
    const others = await Promise.all(['item-2', 'item-3', 'item-4'].map(authorSlug));
    expect(others).not.toContain(first);
    expect(new Set(others).size).toBe(3);
    expect((await api('DELETE', '/items/item-1')).status).toBe(200);
    await publish(byline(9, 'ana lima'));
    expect(await authorSlug('item-9')).toBe(first);
    expect((await scopeFeed('authors', first)).slugs).toEqual(['item-9']);
  });
});

describe('tag names', () => {
  it('work the same in any script: their own slugs, one feed per name, variants shared', async () => {
    const a = await publish(syntheticItem(1, { tags: ['북한', '北朝鮮', 'Café'] }));
    const b = await publish(syntheticItem(2, { tags: ['Korea', 'Cafe', 'الأخبار'] }));
    const c = await publish(syntheticItem(3, { tags: ['korea', 'CAFÉ'] }));
    const [ta, tb, tc] = [await tagSlugs(a.id), await tagSlugs(b.id), await tagSlugs(c.id)];
    expect(ta.slice(0, 2)).toEqual(['북한', '北朝鮮']);
    expect(tb[2]).toBe('الأخبار');
    expect(new Set([...ta, ...tb]).size).toBe(6);
    expect(tc).toEqual([tb[0], ta[2]]);
    expect((await scopeFeed('tags', ta[0]!)).slugs).toEqual(['item-1']);
    expect((await scopeFeed('tags', tb[0]!)).slugs).toEqual(['item-2', 'item-3']);
    expect((await scopeFeed('tags', ta[2]!)).slugs).toEqual(['item-1', 'item-3']);
    expect((await scopeFeed('tags', tb[1]!)).slugs).toEqual(['item-2']);
  });
});

const REAL = [
  '李明',
  '王芳',
  '김민지',
  '김 민지',
  'محمد علي',
  'राहुल शर्मा',
  'José',
  'Jose',
  'Zoë',
  'İlkay',
  'ǅemal',
  'Ωmega',
  'ﬁona',
  'Ⅻ',
  'X Æ A-12',
  '_',
  '!!',
  '😀',
];
// Long prefixes make different names share a base slug once it is cut to fit a KV key.
const LONG = ['李'.repeat(40), 'ø'.repeat(90), 'Hogan '.repeat(15)];
const personName = fc.oneof(
  fc.constantFrom(...REAL),
  fieldText(60, 3),
  fc.tuple(fc.constantFrom(...REAL, ...LONG), fieldText(20, 2)).map(([a, b]) => `${a} ${b}`.slice(0, 120)),
);

describe('any names', () => {
  it('N names that differ by key get N author feeds, each listing exactly its items under a stable slug', async () => {
    // The model: for each name key, its slug (once seen), its latest spelling, and its items.
    const model = new Map<string, { slug?: string; label: string; items: string[] }>();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(personName, { minLength: 1, maxLength: 4, selector: (s) => nameKey(cleaned(s)) }), async (names) => {
        for (const name of names) {
          n++;
          await publish(byline(n, name));
          const key = nameKey(cleaned(name));
          const entry = model.get(key) ?? { label: '', items: [] };
          entry.label = cleaned(name);
          entry.items.push(`item-${n}`);
          const slug = await authorSlug(`item-${n}`);
          expect(entry.slug ?? slug, `slug of ${JSON.stringify(name)} is stable`).toBe(slug);
          entry.slug = slug;
          model.set(key, entry);
        }
        const owners = new Map<string, string>();
        for (const [key, e] of model) {
          expect(owners.get(e.slug!) ?? key, `slug ${e.slug} is shared`).toBe(key);
          owners.set(e.slug!, key);
        }
        for (const name of names) {
          const e = model.get(nameKey(cleaned(name)))!;
          const feed = await scopeFeed('authors', e.slug!);
          expect(feed.slugs).toEqual([...e.items].sort());
          expect(feed.title.endsWith(` — ${e.label}`), `${feed.title} / ${e.label}`).toBe(true);
        }
      }),
      { numRuns: 25 },
    );
  });
});
