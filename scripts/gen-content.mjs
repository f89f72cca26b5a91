#!/usr/bin/env node
// Writes N synthetic article files (and content/site.yaml) into a directory, to measure the sync at
// volume: `node scripts/gen-content.mjs --count 10000 --out /tmp/big` then `npm run publish -- --dir /tmp/big`.
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const TAGS = ['economy', 'maritime', 'politics', 'science', 'culture', 'sport', 'health', 'energy'];
const AUTHORS = ['Mina Park', 'Libby Hogan', 'Desk Reporter', 'Jae-won Lee'];

/**
 * One synthetic article file, about 1 KB, oldest first by `n` (one per hour from 2020-01-01).
 * @param {number} n
 */
export function syntheticFile(n) {
  const published = new Date(Date.UTC(2020, 0, 1) + n * 3_600_000).toISOString().replace('.000Z', '+00:00');
  const tag = TAGS[n % TAGS.length];
  return `---
slug: story-${n}
kind: article
title: Synthetic story ${n} on ${tag}
summary: A generated article for measuring the sync, number ${n}.
published: ${published}
language: en
section: ${n % 2 ? 'World' : 'Business'}
authors:
  - name: ${AUTHORS[n % AUTHORS.length]}
tags: [${tag}, generated]
---
Paragraph one of story ${n}: the sync compares this file's hash with the one the writer lists.

Paragraph two, with *emphasis* and a [link](https://example.com/${n}).
`;
}

/**
 * Writes `count` item files and a copy of content/site.yaml into `out`.
 * @param {{ count: number, out: string, site?: string }} o
 */
export async function generate({ count, out, site = 'content/site.yaml' }) {
  await mkdir(join(out, 'items'), { recursive: true });
  await copyFile(site, join(out, 'site.yaml'));
  for (let n = 1; n <= count; n++) await writeFile(join(out, 'items', `story-${n}.md`), syntheticFile(n));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { count: { type: 'string', default: '10000' }, out: { type: 'string' } } });
  if (!values.out) {
    console.error('Usage: node scripts/gen-content.mjs --count N --out DIR');
    process.exit(2);
  }
  await generate({ count: Number(values.count), out: values.out });
  console.log(`${values.count} item files and site.yaml written to ${values.out}`);
}
