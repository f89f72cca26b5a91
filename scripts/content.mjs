// Reads content/: Markdown items with YAML front matter, and the site settings. Node and tests share it.
import { parse } from 'yaml';

/**
 * Splits one item file into the API body: its front matter fields plus `body` (the Markdown).
 * @param {string} text the file's text
 * @param {string} file the file's name, for messages
 * @returns {Record<string, unknown>}
 */
export function parseItemFile(text, file) {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  if (!m) throw new Error(`${file}: (front matter): the file must start with a --- YAML block ---`);
  let data;
  try {
    data = parse(m[1] ?? '');
  } catch (err) {
    // The yaml package's message is several lines (an excerpt follows); its first says what and where.
    throw new Error(
      `${file}: (front matter): ${err instanceof Error ? (err.message.split('\n')[0] ?? '').replace(/:$/, '') : String(err)}`,
    );
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new Error(`${file}: (front matter): must be a YAML mapping`);
  }
  if ('body' in data) throw new Error(`${file}: body: the body is the Markdown after the front matter, not a field`);
  return { ...data, body: (m[2] ?? '').trim() };
}

/**
 * Parses content/site.yaml.
 * @param {string} text
 * @returns {Record<string, unknown>}
 */
export function parseSiteFile(text) {
  const data = parse(text);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error('site.yaml: must be a YAML mapping');
  return data;
}

/**
 * Orders items the way they should enter the feeds: oldest first, so positions follow publication.
 * @template {Record<string, unknown>} T
 * @param {T[]} items
 * @returns {T[]}
 */
export function publicationOrder(items) {
  return [...items].sort(
    (a, b) => Date.parse(String(a.published)) - Date.parse(String(b.published)) || String(a.slug).localeCompare(String(b.slug)),
  );
}

// The writer's own canonical JSON and content hash (Node runs the TypeScript module as is), so the
// CLI's hash of a file is the API's `hash` for the item the file sent.
export { canonical, contentHash } from '../src/model/hash.ts';
