// Reads a content directory for the sync: every item file as the exact API body and its hash, the
// site settings likewise, and a `<file>: <field>: <message>` line for each file that cannot be read.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { contentHash, parseItemFile, parseSiteFile } from './content.mjs';

/**
 * @typedef {{ file: string, slug: string | undefined, id: string | undefined, body: Record<string, unknown>, json: string, hash: string }} LocalItem
 * @typedef {{ file: string, body: Record<string, unknown>, json: string, hash: string }} LocalSite
 */

/**
 * The body exactly as the CLI sends it, and the hash the writer will compute of it: `meta` (which the
 * API ignores) is left out, and the value goes through JSON once so both sides hash the same thing.
 * @param {Record<string, unknown>} fields
 */
async function asSent(fields) {
  const { meta: _meta, ...rest } = fields;
  const json = JSON.stringify(rest);
  const body = JSON.parse(json);
  return { body, json, hash: await contentHash(body) };
}

const firstLine = (/** @type {unknown} */ err) => (err instanceof Error ? err.message.split('\n')[0] : String(err));

/**
 * @param {string} dir e.g. "content"
 * @returns {Promise<{ items: LocalItem[], site: LocalSite | null, errors: string[] }>}
 */
export async function readContent(dir) {
  /** @type {string[]} */
  const errors = [];
  let names;
  try {
    names = (await readdir(join(dir, 'items'))).filter((n) => n.endsWith('.md')).sort();
  } catch (err) {
    throw new Error(`${join(dir, 'items')}: cannot be read (${firstLine(err)})`);
  }
  /** @type {LocalItem[]} */
  const items = [];
  /** @type {Map<string, string>} slug → file, to catch two files claiming one item */
  const owners = new Map();
  // Read many at once: one file after another, 10,000 files take seconds of waiting on the disk.
  /** @type {string[]} */
  const texts = [];
  for (let i = 0; i < names.length; i += 64) {
    texts.push(...(await Promise.all(names.slice(i, i + 64).map((n) => readFile(join(dir, 'items', n), 'utf8')))));
  }
  for (const [i, file] of names.entries()) {
    let fields;
    try {
      fields = parseItemFile(/** @type {string} */ (texts[i]), file);
    } catch (err) {
      errors.push(firstLine(err));
      continue;
    }
    const sent = await asSent(fields);
    const slug = typeof sent.body.slug === 'string' ? sent.body.slug : undefined;
    const id = typeof sent.body.id === 'string' ? sent.body.id : undefined;
    if (slug !== undefined && owners.has(slug)) {
      // Both would publish to one address, the later silently winning, and every sync would resend one.
      errors.push(`${file}: slug: "${slug}" is already the slug of ${owners.get(slug)}`);
      continue;
    }
    if (slug !== undefined) owners.set(slug, file);
    items.push({ file, slug, id, ...sent });
  }
  /** @type {LocalSite | null} */
  let site = null;
  const text = await readFile(join(dir, 'site.yaml'), 'utf8').catch(() => null);
  if (text !== null) {
    try {
      site = { file: 'site.yaml', ...(await asSent(parseSiteFile(text))) };
    } catch (err) {
      const message = firstLine(err);
      errors.push(
        message.startsWith('site.yaml: ') ? message.replace('site.yaml: ', 'site.yaml: (yaml): ') : `site.yaml: (yaml): ${message}`,
      );
    }
  }
  return { items, site, errors };
}
