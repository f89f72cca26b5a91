#!/usr/bin/env node
// `npm run bench`: wirefeed under Miniflare against a constant-response Worker on the same runtime,
// alternating, so every figure is a ratio measured in the same run on the same machine.
import autocannon from 'autocannon';
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';
import { buildWorker, freePort, startWirefeed } from './harness.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const ITEMS = Number(process.env.BENCH_ITEMS ?? 1000);
const BIG = Number(process.env.BENCH_BIG ?? 10000);

/** A synthetic item; every third is a video so enclosures and Media RSS are exercised. */
function item(n) {
  const published = new Date(Date.UTC(2015, 0, 1) + n * 600_000).toISOString().replace('.000Z', '+00:00');
  const video = n % 3 === 0;
  return {
    slug: `story-${n}`,
    kind: video ? 'video' : 'article',
    title: `Story ${n}: council approves harbour plan`,
    summary: `A summary of story ${n}, two sentences long. It says what happened.`,
    body: `## Story ${n}\n\nThe council met on Tuesday and approved the plan. ${'Paragraph text with **bold** and a [link](https://example.com/). '.repeat(6)}\n\n- one\n- two\n`,
    published,
    language: 'en',
    authors: [{ name: ['Libby Hogan', 'Mina Park', 'Ana Silva'][n % 3] }],
    tags: [['politics', 'harbour', 'economy', 'weather'][n % 4], 'local'],
    ...(video
      ? {
          image: { url: '/media/liaison-office.jpg', width: 1280, height: 720, alt: 'Poster' },
          video: { url: '/media/liaison-office.mp4', type: 'video/mp4', size: 250000, duration: 134, width: 640, height: 360 },
        }
      : {}),
  };
}

async function call(base, token, method, path, body) {
  const res = await fetch(new URL(path, base), {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function importItems(w, from, to) {
  for (let start = from; start <= to; start += 200) {
    const items = [];
    for (let n = start; n <= Math.min(to, start + 199); n++) items.push(item(n));
    await call(w.url, w.token, 'POST', '/api/import', { items });
  }
}

async function load(url, headers = {}) {
  const r = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers, pipelining: 1 });
  if (r.non2xx && !headers['If-None-Match']) throw new Error(`${url}: ${r.non2xx} non-2xx answers`);
  return { rps: r.requests.average, p50: r.latency.p50 };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Alternates reference and target runs in ABBA order, so neither side always runs first; this
 * machine's speed drifts by ±15 % over seconds, so each round's ratio compares neighbours and the
 * median of many short rounds is reported.
 */
async function compare(refUrl, url, headers) {
  await load(url, headers); // warm-up: first hits fill the isolate's cache and JIT
  await load(refUrl, headers);
  const ratios = [];
  const rps = [];
  const p50 = [];
  for (let i = 0; i < ROUNDS; i++) {
    const refFirst = i % 2 === 0;
    const a = await load(refFirst ? refUrl : url, headers);
    const b = await load(refFirst ? url : refUrl, headers);
    const [ref, got] = refFirst ? [a, b] : [b, a];
    ratios.push(got.rps / ref.rps);
    rps.push(got.rps);
    p50.push(got.p50);
  }
  return { rps: median(rps), p50: median(p50), ratio: median(ratios), lo: Math.min(...ratios), hi: Math.max(...ratios) };
}

async function publishCost(w, startN, count) {
  const times = [];
  const writes = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    const r = await call(w.url, w.token, 'PUT', `/api/items/story-${startN + i}`, item(startN + i));
    times.push(performance.now() - t0);
    writes.push(r.kvWrites);
  }
  return { ms: median(times), writes: median(writes) };
}

const script = buildWorker();
// Feeds never touch static assets; the local asset router would add two Worker hops (see harness.mjs).
// Write pacing off (KV_WRITE_GAP_MS=0): the publish line measures what each publish renders and
// writes when publishes come a second or more apart, not how a burst is coalesced.
const NO_PACING = { KV_WRITE_GAP_MS: '0' };
const warm = await startWirefeed({ script, assets: false, bindings: NO_PACING });
const cold = await startWirefeed({ script, assets: false, bindings: { ...NO_PACING, WARM_TTL: '0' } });
console.log(`importing ${ITEMS} items into two instances (warm cache on / off)…`);
await importItems(warm, 1, ITEMS);
await importItems(cold, 1, ITEMS);

const seedPage = `${warm.url}/videos/story-3`;
const paths = [
  ['/feed.xml', {}],
  ['/feed.atom', {}],
  ['/feed.json', {}],
  ['/tags/harbour/feed.atom', {}],
  ['/archive/1/feed.xml', {}],
  ['/videos/story-3', {}],
  [`/oembed?url=${encodeURIComponent(seedPage)}&maxwidth=500`, {}],
];
const etag = (await fetch(`${warm.url}/feed.xml`)).headers.get('ETag');
paths.push(['/feed.xml (304)', { 'If-None-Match': etag }]);

// The reference answers each path with the very response wirefeed sends for it (status, headers and
// bytes) as constants: the ratio is what routing, storage lookups and validators cost on top of a
// Worker that only returns that response.
const answers = [];
for (const [label, headers] of paths) {
  const res = await fetch(`${warm.url}${label.replace(' (304)', '')}`, { headers });
  const replay = [...res.headers].filter(([k]) => !['content-length', 'content-encoding', 'date', 'transfer-encoding'].includes(k));
  answers.push({ status: res.status, headers: replay, body: res.status === 304 ? null : await res.text() });
}
const refPort = await freePort();
const reference = new Miniflare(
  convertV4MiniflareOptions({
  modules: true,
  host: '127.0.0.1',
  port: refPort,
  compatibilityDate: '2026-04-20',
  script: `const answers = ${JSON.stringify(answers)}.map((a) => ({ ...a, bytes: a.body === null ? null : new TextEncoder().encode(a.body) }));
export default { fetch(req) {
  const a = answers[Number(new URL(req.url).pathname.slice(1))] ?? answers[0];
  return new Response(a.bytes, { status: a.status, headers: a.headers });
} };`,
}),
);
await reference.ready;
const refUrl = (i) => `http://127.0.0.1:${refPort}/${i}`;

console.log(`\nreference: a constant-response Worker returning the same status, headers and bytes, same Miniflare/workerd; ${CONNECTIONS} connections, ${SECONDS}s × ${ROUNDS} rounds, alternating ABBA; ratio = median of per-round ratios\n`);
console.log('path'.padEnd(44), 'req/s'.padStart(9), 'p50 ms'.padStart(8), '  ratio       (rounds: min–max)');
const line = (label, r) =>
  console.log(label.slice(0, 44).padEnd(44), r.rps.toFixed(0).padStart(9), String(r.p50).padStart(8), `  ratio ${r.ratio.toFixed(2)}  (${r.lo.toFixed(2)}–${r.hi.toFixed(2)})`);
for (const [i, [label, headers]] of paths.entries()) {
  if (process.env.BENCH_ONLY && !label.includes(process.env.BENCH_ONLY)) continue;
  const path = label.replace(' (304)', '');
  const r = await compare(refUrl(i), `${warm.url}${path}`, headers);
  line(label, r);
}
const c = await compare(refUrl(0), `${cold.url}/feed.xml`, {});
line('cold /feed.xml (warm cache off, 1 KV get)', c);

await cold.mf.dispose();
const small = await startWirefeed({ script, assets: false, bindings: NO_PACING });
await importItems(small, 1, 100);
const at100 = await publishCost(small, 100001, 20);
await small.mf.dispose();
console.log(`\nimporting ${BIG} items for the publish-cost line…`);
await importItems(warm, ITEMS + 1, BIG);
const atBig = await publishCost(warm, 200001, 20);
console.log(
  `publish: ${at100.ms.toFixed(1)} ms, ${at100.writes} KV writes at 100 items; ${atBig.ms.toFixed(1)} ms, ${atBig.writes} KV writes at ${BIG} items; ` +
    `ratio time ${(atBig.ms / at100.ms).toFixed(2)}, writes ${(atBig.writes / at100.writes).toFixed(2)}`,
);
await warm.mf.dispose();
await reference.dispose();
