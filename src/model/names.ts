// Names people give (authors, tags, sections) and the readable slugs their pages and feeds live at.
import { MAX_NAME_SLUG_BYTES } from './limits';
import { XML_SPACE_RUN } from './schema';

/** The kinds of named scope; each has its own slug space. */
export type NameKind = 'tag' | 'author' | 'section';

/**
 * Two spellings with the same key are the same name ("Libby Hogan", "libby  hogan"). Runs of XML
 * white space count as one space, as the schema folds them; NFKC makes no-break and other width
 * variants of a space a space, but a U+FEFF or a zero-width space still tells two names apart.
 */
export function nameKey(name: string): string {
  return name.normalize('NFKC').trim().replace(XML_SPACE_RUN, ' ').toLowerCase();
}

// Letters and digits of any script stay; combining marks stay so Devanagari or Thai keep their vowels.
const NOT_SLUG = /[^\p{L}\p{N}\p{M}]+/gu;

/** A name slug: letters, digits and marks of any script, single hyphens between runs. */
export const NAME_SLUG = /^[\p{L}\p{N}\p{M}]+(?:-[\p{L}\p{N}\p{M}]+)*$/u;

/**
 * The readable slug a name would get before any clash: Latin accents folded ("José" → "jose"),
 * every other script kept as written ("李明" → "李明", "김정은" → "김정은"), cut to fit a KV key.
 */
export function baseSlug(name: string): string {
  const folded = name
    .normalize('NFKD')
    // Only accents on Latin letters are dropped ("José" → "jose"); NFC below puts Hangul, Cyrillic
    // ("й"), Greek and the rest back together as written.
    .replace(/([A-Za-z])[\u0300-\u036f]+/g, '$1')
    .normalize('NFC')
    .toLowerCase()
    .replace(NOT_SLUG, '-')
    .replace(/^-+|-+$/g, '');
  return fitSlug(folded);
}

/** Cuts a slug at a code point boundary so its percent-encoded form fits MAX_NAME_SLUG_BYTES. */
export function fitSlug(slug: string, reserve = 0): string {
  const max = MAX_NAME_SLUG_BYTES - reserve;
  if (encodeURIComponent(slug).length <= max) return slug;
  let out = '';
  for (const ch of slug) {
    if (encodeURIComponent(out + ch).length > max) break;
    out += ch;
  }
  return out.replace(/-+$/, '');
}

/** The n-th candidate for a name whose base slug is taken: "li-ming", "li-ming-2", "li-ming-3"… */
export function candidateSlug(base: string, kind: NameKind, n: number): string {
  const root = base || kind;
  if (n === 1) return root;
  const suffix = `-${n}`;
  return `${fitSlug(root, suffix.length)}${suffix}`;
}
