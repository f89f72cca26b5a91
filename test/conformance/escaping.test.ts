// Issue 8 §3: every text field arrives exactly as sent in RSS, Atom, JSON Feed, oEmbed and OPML, read by a parser.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ORIGIN, api, get, publish, syntheticItem } from '../helpers';
import { cleaned, cleanedProse, distinctNames, fieldText, parseStrictXml, textOf } from '../arbitraries';

/** One level of HTML character references, as a reader decodes an RSS description. */
const decodeHtml = (s: string) =>
  s.replace(
    /&(?:(amp|lt|gt|quot|apos)|#(\d+)|#x([0-9a-f]+));/gi,
    (_m, name: string | undefined, dec: string | undefined, hex: string | undefined) =>
      name
        ? ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[name.toLowerCase()]!
        : String.fromCodePoint(dec ? Number(dec) : parseInt(hex!, 16)),
  );

/** Atom text constructs: type="text" is read as is, type="html" once more as HTML. */
const atomText = (node: any) => (node?.['@type'] === 'html' ? decodeHtml(textOf(node)) : textOf(node));

async function text(path: string): Promise<string> {
  const res = await get(path);
  expect(res.status, path).toBe(200);
  return res.text();
}

/** Every document the item and the site show up in, parsed. */
async function outputs(slug: string) {
  const page = encodeURIComponent(`${ORIGIN}/articles/${slug}`);
  return {
    rss: parseStrictXml(await text('/feed.xml')).rss.channel,
    atom: parseStrictXml(await text('/feed.atom')).feed,
    json: JSON.parse(await text('/feed.json')),
    oembedJson: JSON.parse(await text(`/oembed?url=${page}`)),
    oembedXml: parseStrictXml(await text(`/oembed?url=${page}&format=xml`)).oembed,
    opml: parseStrictXml(await text('/feeds.opml')).opml,
    news: [parseStrictXml(await text('/sitemaps/news.xml')).urlset.url ?? []].flat(),
    sitemap: [parseStrictXml(await text('/sitemap.xml')), parseStrictXml(await text('/sitemaps/1.xml'))],
  };
}

// Any run of the characters RFC 3986 allows in a URI (what an id may hold), percent-escapes included.
const URI_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=";
const ascii = fc
  .array(fc.oneof(fc.constantFrom(...URI_CHARS), fc.constantFrom('%2F', '%3C', '%26')), { minLength: 1, maxLength: 12 })
  .map((a) => a.join(''));

describe('item text fields', () => {
  it('round-trip byte-exact through every format, for arbitrary strings', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          title: fieldText(300),
          summary: fieldText(2000),
          names: distinctNames(1, 2, 120),
          tags: distinctNames(0, 2, 60),
          section: fc.option(fieldText(80, 3), { nil: undefined }),
          idTail: ascii,
        }),
        async ({ title, summary, names, tags, section, idTail }) => {
          n++;
          const slug = `e-${n}`;
          const id = `tag:127.0.0.1,2021-01-01:${slug}/${idTail}`;
          // Published an hour ago, so the item is in the Google News sitemap too.
          const published = new Date(Date.now() - 3_600_000).toISOString();
          const fields = {
            slug,
            id,
            title,
            summary,
            published,
            authors: names.map((name) => ({ name })),
            tags,
            ...(section ? { section } : {}),
          };
          const item = syntheticItem(n, fields);
          const res = await api('PUT', `/items/${slug}`, item);
          expect(res.status, await res.clone().text()).toBe(201);
          const want = {
            title: cleaned(title),
            summary: cleanedProse(summary),
            names: names.map(cleaned),
            tags: tags.map(cleaned),
            section: section && cleaned(section),
          };
          const categories = [...(want.section ? [want.section] : []), ...want.tags];
          const o = await outputs(slug);

          const rss = o.rss.item.find((i: any) => textOf(i.guid) === id);
          expect(rss, `RSS guid ${id}`).toBeDefined();
          expect(textOf(rss.title)).toBe(want.title);
          expect(textOf(rss['media:title'])).toBe(want.title);
          expect(textOf(rss['media:description'])).toBe(want.summary);
          expect(rss['dc:creator'].map(textOf)).toEqual(want.names);
          expect(rss['media:credit'].map(textOf)).toEqual(want.names);
          expect((rss.category ?? []).map(textOf)).toEqual(categories);
          // The description is HTML for readers: the plain summary, escaped once, with no markup of its own.
          expect(textOf(rss.description)).not.toMatch(/</);
          expect(decodeHtml(textOf(rss.description))).toBe(want.summary);

          const entry = o.atom.entry.find((e: any) => textOf(e.id) === id);
          expect(entry, `Atom id ${id}`).toBeDefined();
          expect(atomText(entry.title)).toBe(want.title);
          expect(atomText(entry.summary)).toBe(want.summary);
          expect(entry.author.map((a: any) => textOf(a.name))).toEqual(want.names);
          expect((entry.category ?? []).map((c: any) => c['@label'])).toEqual(categories);

          const json = o.json.items.find((i: any) => i.id === id);
          expect(json, `JSON Feed id ${id}`).toBeDefined();
          expect([json.title, json.summary, json.tags]).toEqual([want.title, want.summary, want.tags]);
          expect(json.authors.map((a: any) => a.name)).toEqual(want.names);
          expect(json._wirefeed?.section).toBe(want.section);

          for (const oe of [o.oembedJson, o.oembedXml]) {
            expect(textOf(oe.title)).toBe(want.title);
            expect(textOf(oe.author_name)).toBe(want.names.join(', '));
          }
          const news = o.news.find((u: any) => textOf(u.loc) === `${ORIGIN}/articles/${slug}`);
          expect(textOf(news?.['news:news']?.['news:title'])).toBe(want.title);
          // OPML outlines name every scope in attributes: authors and tags as written.
          const outlines = [o.opml.body.outline]
            .flat()
            .flatMap((g: any) => [g.outline].flat())
            .map((x: any) => x['@text']);
          for (const name of [...want.names, ...want.tags]) expect(outlines).toContain(name);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('an id holding "&amp;" is the same string in the RSS guid, the Atom id and the JSON Feed id', async () => {
    const id = 'tag:127.0.0.1,2021-01-01:a&amp;b';
    await publish(syntheticItem(1, { id }));
    const o = await outputs('item-1');
    expect(textOf(o.rss.item[0].guid)).toBe(id);
    expect(textOf(o.atom.entry[0].id)).toBe(id);
    expect(o.json.items[0].id).toBe(id);
    expect((await (await api('GET', '/items/item-1')).json<any>()).meta.id).toBe(id);
  });

  it('an id with any URI character is the same string in every format; characters a URL parser would encode are refused', async () => {
    // `feed` passes Atom ids through new URL(), which would turn "#a`b" into "#a%60b": ids keep to RFC 3986.
    const id = "tag:127.0.0.1,2021-01-01:x#a~b?c=[d]&e=(f)!$'*+,;@:%2F";
    await publish(syntheticItem(1, { id }));
    const o = await outputs('item-1');
    expect([textOf(o.rss.item[0].guid), textOf(o.atom.entry[0].id), o.json.items[0].id]).toEqual([id, id, id]);
    for (const bad of [
      'tag:127.0.0.1,2021-01-01:x#a`b',
      'tag:127.0.0.1,2021-01-01:"<c>',
      'tag:127.0.0.1,2021-01-01:a b',
      'tag:127.0.0.1,2021-01-01:%zz',
    ]) {
      const res = await api('PUT', '/items/item-2', syntheticItem(2, { id: bad }));
      expect(res.status, bad).toBe(422);
      expect((await res.json<any>()).field).toBe('id');
    }
  });

  it('carriage returns, tabs and newlines are stored as a conformant XML parser reads them back (text and attributes)', async () => {
    // XML parsers turn a raw CR into LF (also in CDATA), and a raw tab or newline in an attribute into a
    // space; so the schema stores line breaks as LF, and none in one-line fields (titles, names, tags).
    const title = 'Line one\r\nline two\rend';
    const tag = 'tab\there\nand there';
    const name = 'Kim\nMin-ji';
    const summary = 'First line.\r\nSecond\tline.\rThird.';
    await publish(syntheticItem(1, { title, summary, tags: [tag], authors: [{ name }] }));
    const got = (await (await api('GET', '/items/item-1')).json<any>()).item;
    expect([got.title, got.tags, got.authors[0].name, got.summary]).toEqual([
      'Line one line two end',
      ['tab here and there'],
      'Kim Min-ji',
      'First line.\nSecond\tline.\nThird.',
    ]);
    const o = await outputs('item-1');
    expect(textOf(o.rss.item[0].title)).toBe(got.title);
    expect(atomText(o.atom.entry[0].title)).toBe(got.title);
    expect(atomText(o.atom.entry[0].summary)).toBe(got.summary);
    expect(textOf(o.oembedXml.title)).toBe(got.title);
    expect(o.atom.entry[0].category.map((c: any) => c['@label'])).toEqual(got.tags);
    const outlines = [o.opml.body.outline]
      .flat()
      .flatMap((g: any) => [g.outline].flat())
      .map((x: any) => x['@text']);
    expect(outlines).toEqual(expect.arrayContaining([got.tags[0], got.authors[0].name]));
  });

  it('a U+FEFF, a no-break or a zero-width space inside a title, a name, a tag or a section is kept; only XML white space folds', async () => {
    // JavaScript's \s takes U+FEFF and U+00A0 for spaces; the schema folds only what XML parsers read as white space.
    const title = 'word\uFEFFbom 10\u00A0km zero\u200Bwidth \t\n folded';
    const name = 'Jane\uFEFFDoe';
    const tag = 'tag\uFEFFone';
    const section = 'Sec\uFEFFtion';
    // "Jane Doe" is another person: a U+FEFF does not fold into a space in a name's key either.
    await publish(syntheticItem(1, { title, authors: [{ name }, { name: 'Jane Doe' }], tags: [tag], section }));
    const want = { title: 'word\uFEFFbom 10\u00A0km zero\u200Bwidth folded', names: [name, 'Jane Doe'], categories: [section, tag] };
    const got = (await (await api('GET', '/items/item-1')).json<any>()).item;
    expect([got.title, got.authors.map((a: any) => a.name), got.tags, got.section]).toEqual([want.title, want.names, [tag], section]);
    const o = await outputs('item-1');
    const rss = o.rss.item[0];
    expect([textOf(rss.title), textOf(rss['media:title'])]).toEqual([want.title, want.title]);
    expect(rss['dc:creator'].map(textOf)).toEqual(want.names);
    expect(rss.category.map(textOf)).toEqual(want.categories);
    const entry = o.atom.entry[0];
    expect(atomText(entry.title)).toBe(want.title);
    expect(entry.author.map((a: any) => textOf(a.name))).toEqual(want.names);
    expect(entry.category.map((c: any) => c['@label'])).toEqual(want.categories);
    const json = o.json.items[0];
    expect([json.title, json.authors.map((a: any) => a.name), json.tags, json._wirefeed?.section]).toEqual([
      want.title,
      want.names,
      [tag],
      section,
    ]);
    expect(textOf(o.oembedXml.title)).toBe(want.title);
    // Two people, two author pages.
    expect((await get('/authors/jane-doe')).status).toBe(200);
    expect((await get('/authors/jane-doe-2')).status).toBe(200);
  });

  it('a summary that looks like markup is never markup in the RSS description', async () => {
    const summary = '<img src=x onerror=alert(1)> &amp; <script>alert(2)</script>';
    await publish(syntheticItem(1, { summary }));
    const raw = await text('/feed.xml');
    const item = parseStrictXml(raw).rss.channel.item[0];
    expect(textOf(item.description)).not.toMatch(/<img|<script/i);
    expect(decodeHtml(textOf(item.description))).toBe(summary);
  });
});

describe('site text fields', () => {
  it('round-trip byte-exact through every format, for arbitrary strings', async () => {
    await publish(syntheticItem(1, { published: new Date(Date.now() - 3_600_000).toISOString() }));
    await fc.assert(
      fc.asyncProperty(
        fc.record({ title: fieldText(200), description: fieldText(1000), author: fieldText(120), copyright: fieldText(200) }),
        async (site) => {
          const res = await api('PUT', '/site', { ...site, language: 'en' });
          expect(res.status, await res.clone().text()).toBe(200);
          const want = {
            title: cleaned(site.title),
            description: cleanedProse(site.description),
            author: cleaned(site.author),
            copyright: cleaned(site.copyright),
          };
          const o = await outputs('item-1');
          expect([textOf(o.rss.title), textOf(o.rss.description), textOf(o.rss.copyright)]).toEqual([
            want.title,
            want.description,
            want.copyright,
          ]);
          expect([atomText(o.atom.title), atomText(o.atom.subtitle), atomText(o.atom.rights)]).toEqual([
            want.title,
            want.description,
            want.copyright,
          ]);
          expect(o.atom.author.map((a: any) => textOf(a.name))).toEqual([want.author]);
          expect([o.json.title, o.json.description, o.json.authors[0].name]).toEqual([want.title, want.description, want.author]);
          expect([textOf(o.oembedJson.provider_name), textOf(o.oembedXml.provider_name)]).toEqual([want.title, want.title]);
          expect(textOf(o.opml.head.ownerName)).toBe(want.author);
          expect(textOf(o.news[0]?.['news:news']?.['news:publication']?.['news:name'])).toBe(want.title);
        },
      ),
      { numRuns: 15 },
    );
  });
});

describe('URLs', () => {
  it('with control or non-characters answer 422 naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ authors: [{ name: 'X', url: 'http://example.com/a\u0001b' }] }, 'authors[0].url'],
      [{ authors: [{ name: 'X', url: '/about\uFFFE' }] }, 'authors[0].url'],
      [{ image: { url: 'http://example.com/i\u0000.jpg', width: 10, height: 10, alt: 'alt' } }, 'image.url'],
      [{ authors: [{ name: 'X', url: 'http://example.com/\u0085' }] }, 'authors[0].url'],
    ];
    for (const [extra, field] of cases) {
      const res = await api('PUT', '/items/item-1', syntheticItem(1, extra));
      expect([res.status, (await res.json<any>()).field]).toEqual([422, field]);
    }
    const site = await api('PUT', '/site', {
      title: 'T',
      description: 'D',
      language: 'en',
      author: 'A',
      logo: 'https://example.com/l\u0001.png',
    });
    expect([site.status, (await site.json<any>()).field]).toEqual([422, 'logo']);
    expect((await api('GET', '/items/item-1')).status).toBe(404);
  });
});
