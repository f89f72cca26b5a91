// content/ against the one schema: every file valid, the seed as specified, media sizes real.
import { env } from 'cloudflare:test';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { ItemInput, SiteSettings } from '../../src/model/schema';
import { problemOf } from '../../src/model/messages';
import { parseItemFile } from '../../scripts/content.mjs';
import { ORIGIN, contentFiles, contentItems, siteSettings } from '../helpers';

/** What the CLI prints for a file: its name, then the first failing field and why. */
function check(file: string, text: string): string | null {
  let input: Record<string, unknown>;
  try {
    input = parseItemFile(text, file);
  } catch (err) {
    return (err as Error).message;
  }
  const r = v.safeParse(ItemInput, input);
  if (r.success) return null;
  const p = problemOf(r.issues[0]!);
  return `${file}: ${p.field}: ${p.message}`;
}

describe('content/', () => {
  it('has at least four items, articles and videos, two authors', () => {
    expect(contentFiles.length).toBeGreaterThanOrEqual(4);
    expect(new Set(contentItems.map((i) => i.kind))).toEqual(new Set(['video', 'article']));
    expect(new Set(contentItems.flatMap((i: any) => i.authors.map((a: any) => a.name))).size).toBeGreaterThanOrEqual(2);
  });

  it.each(contentFiles)('$file validates, and its slug is its file name', ({ file, text }) => {
    expect(check(file, text)).toBeNull();
    expect(`${parseItemFile(text, file).slug}.md`).toBe(file);
  });

  it('site.yaml validates', () => {
    expect(v.safeParse(SiteSettings, siteSettings).success).toBe(true);
  });

  it('a bad file fails naming the file and the field', () => {
    const [first] = contentFiles;
    const broken = first!.text.replace(/^published: .*$/m, 'published: 16 June 2020');
    expect(check('broken.md', broken)).toMatch(/^broken\.md: published: "16 June 2020" is not a date-time with an offset/);
    expect(check('nofm.md', 'just text')).toMatch(/^nofm\.md: \(front matter\)/);
    const author = first!.text.replace('  - name: Libby Hogan', '  - nom: Libby Hogan');
    expect(check('author.md', author)).toMatch(/^author\.md: authors\[0\]\.(name|nom): /);
  });

  it('the seed is the first item: the liaison office video, 134 s, by Libby Hogan, 16 June 2020', () => {
    const seed = contentItems[0] as any;
    expect(seed).toMatchObject({
      slug: 'n-korea-blows-up-inter-korean-liaison-office',
      kind: 'video',
      title: 'N.Korea blows up inter-Korean liaison office',
      authors: [{ name: 'Libby Hogan' }],
      stats: { views: 1, shares: 0 },
      video: { duration: 134 },
    });
    expect(new Date(seed.published).toUTCString()).toMatch(/^Tue, 16 Jun 2020/);
    expect(seed.tags).toEqual(expect.arrayContaining(['north-korea', 'south-korea']));
  });

  it('media are served as static assets, with the byte sizes the items declare', async () => {
    for (const item of contentItems as any[]) {
      for (const url of [item.video?.url, item.image?.url, ...(item.captions ?? []).map((c: any) => c.url)].filter(Boolean)) {
        const res = await env.ASSETS.fetch(`${ORIGIN}${url}`);
        expect(res.status, url).toBe(200);
        const bytes = (await res.arrayBuffer()).byteLength;
        if (url === item.video?.url) {
          expect(bytes, url).toBe(item.video.size);
          expect(res.headers.get('Content-Type')).toBe(item.video.type);
        }
      }
    }
    expect((await env.ASSETS.fetch(`${ORIGIN}/items/${contentFiles[0]!.file}`)).status).toBe(404);
    expect((await env.ASSETS.fetch(`${ORIGIN}/site.yaml`)).status).toBe(404);
  });
});
