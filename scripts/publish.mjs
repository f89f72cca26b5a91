#!/usr/bin/env node
// The newsroom CLI: publishes content/ (site settings, then every item) through the authenticated API.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseItemFile, parseSiteFile, publicationOrder } from './content.mjs';
import { readToken } from './dev-vars.mjs';

/**
 * Publishes a content directory to a running wirefeed.
 * @param {{ url: string, dir: string, token: string, log?: (line: string) => void }} o
 * @returns {Promise<{ published: number, failed: string[] }>}
 */
export async function publishContent({ url, dir, token, log = console.log }) {
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const failed = [];
  const send = async (file, path, body) => {
    const res = await fetch(new URL(path, url), { method: 'PUT', headers, body: JSON.stringify(body) });
    const answer = await res.json().catch(() => ({}));
    if (!res.ok) {
      failed.push(`${file}: ${answer.detail ?? `HTTP ${res.status}`}`);
      return null;
    }
    return answer;
  };
  const site = await send('site.yaml', '/api/site', parseSiteFile(await readFile(join(dir, 'site.yaml'), 'utf8')));
  if (site) log(`site.yaml: ${site.changed ? 'updated' : 'unchanged'}`);
  const names = (await readdir(join(dir, 'items'))).filter((n) => n.endsWith('.md')).sort();
  const items = [];
  for (const name of names) {
    try {
      items.push({ ...parseItemFile(await readFile(join(dir, 'items', name), 'utf8'), name), __file: name });
    } catch (err) {
      failed.push(err instanceof Error ? err.message : String(err));
    }
  }
  let published = 0;
  for (const item of publicationOrder(items)) {
    const { __file: file, ...body } = item;
    const r = await send(file, `/api/items/${encodeURIComponent(String(body.slug ?? ''))}`, body);
    if (!r) continue;
    published++;
    const paced = r.deferred ? `; ${r.deferred} jobs paced, written within a second` : '';
    log(`${file}: ${r.created ? 'published' : r.changed ? 'updated' : 'unchanged'} ${r.id} (${r.kvWrites} KV writes${paced})`);
  }
  return { published, failed };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const url = arg('url', process.env.WIREFEED_URL ?? 'http://127.0.0.1:8787');
  const token = process.env.API_TOKEN ?? (await readToken());
  if (!token) {
    console.error('No API token: set API_TOKEN or run `npm start` once to create .dev.vars');
    process.exit(2);
  }
  const { published, failed } = await publishContent({ url, dir: arg('dir', 'content'), token });
  for (const f of failed) console.error(f);
  console.log(`${published} published, ${failed.length} failed`);
  process.exit(failed.length ? 1 : 0);
}
