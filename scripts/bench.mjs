#!/usr/bin/env node
// `npm run bench`: each path loaded at the same time as a constant-response reference, on one core.
//
// Knobs (environment):
//   BENCH_SECONDS      length of one round (default 1.5)
//   BENCH_ROUNDS       rounds per line, after one warm-up round (default 7)
//   BENCH_CONNECTIONS  connections per round, half to the path and half to the reference (default 16)
//   BENCH_ITEMS        items behind the warm paths (default 300: every feed and page shown is full)
//   BENCH_SMALL        items of the small publish instance (default 1,000: a page and more in every scope)
//   BENCH_BIG          items behind the rebuild line and the publish line's large side (default 10000)
//   BENCH_LONG         items of ~190 KB bodies behind the long-body publish line (default 40)
//   BENCH_PUBLISHES    publishes timed per publish line (default 20)
//   BENCH_ONLY         a regular expression; only lines whose label matches run (atom, 'cold|publish';
//                      'audience' runs every audience line, see below)
//   BENCH_PIN=0        leaves every process where the OS puts it (default: pinned, see below)
//   BENCH_SCRIPT       an already built bundle to measure instead of building one (to compare a change)
//   BENCH_DEBUG=1      prints each round: requests completed and CPU ms of path, reference, load generator
//
// Why the ratios hold on a busy 2-core machine. A ratio taken from two runs one after the other is at
// the mercy of whatever else the machine does in between, so the path and its reference are loaded
// in the same window by this one process (two autocannon instances started together, half the
// connections each), and ratio = path req/s ÷ reference req/s of that window. They must NOT share a
// workerd process: workerd runs every Worker of a process on one thread, and closed-loop clients
// queued on one server complete requests at the same rate whatever each request costs (measured: a
// Worker 2.1× slower than its reference when each was loaded alone read 1.00 in every round when
// both lived in one Miniflare instance, 0.45 as two processes on one core). So the reference is its
// own Miniflare instance (same workerd, same entry worker in front), and both workerd processes are
// pinned to the same core: the scheduler gives each half of it (BENCH_DEBUG shows their CPU ms agree
// within a few %), a disturbance there takes from both alike, and each side's completed requests
// measure what one request costs it. Unpinned, the control line (reference ÷ its copy) swung
// 0.51–1.47 on a busy machine; pinned, 0.95–1.05. Before measuring, each instance's writer owes
// nothing at all: jobs, backlog, hub pings and edge purges (its alarms run in the same workerd as
// the path); the bench sets the purge repeat (PURGE_REPEAT_MS, 60 s in production) to 1 s so that is short.
// The publish lines print wall time and the CPU of the instance's workerd: on a shared machine the
// CPU is the steadier figure. "publish with long bodies" publishes into feeds of 40 items of ~190 KB,
// every document cut to its 4 MiB budget; its reference is the short-body publish at BENCH_SMALL (1,000) items.
// "partner feed" reads one partner's /partners/:id/feed.xml through the gateway with a Bearer
// credential (the Credentials Durable Object asked on every request, then Documents). "publish with
// 10 partners" publishes, on the cold/publish and the big instance, an item of one of ten desk tags
// with no partner, then with ten partners each scoped to its own desk (touched), then an item of
// other desks (none touched), and checks in Miniflare's KV store which partner documents each rewrote.
// The big instance (publish and rebuild lines) is pinned to the other core while the pairs run, its
// import driven from a thread of its own: run after the pairs, it takes the bench past 6 minutes.
// It is not free: the two cores share one L3 cache, and the import slows the path more than its
// smaller reference (/feed.atom 0.74–0.77 with it, 0.82–0.98 without). To measure the read path
// alone: BENCH_ONLY='^(?!publish|rebuild)'.
// The audience lines (scripts/bench-audience.mjs) measure each counted request (a direct poller's and an
// aggregator's feed poll, a person's item page view, a partner's fetch, the player's beacon) once per AUDIENCE_SINK: "local"
// on the warm instance, "analytics-engine" and "none" on instances of their own, alike but for that
// var; the warm lines above send no User-Agent, which is never counted (the partner feed is: a delivery).
// BENCH_ONLY='audience|control' runs only them (an audience line runs when BENCH_ONLY matches its label or
// the word "audience").
import autocannon from 'autocannon';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';
import { SINKS, audienceLines, countingCosts } from './bench-audience.mjs';
import { partnerFeed, putPartners } from './bench-partners.mjs';
import { buildWorker, cpuNs, freePort, kvBlobs, pinProcesses, startWirefeed, workerdChildren } from './harness.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1.5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const HALF = Math.max(1, Math.floor(Number(process.env.BENCH_CONNECTIONS ?? 16) / 2));
const ITEMS = Number(process.env.BENCH_ITEMS ?? 300);
// The small publish instance: more than a page (50) in every tag, author and section scope, so its
// documents are as full as the big instance's and the two publish lines compare like with like (at
// 100 items most scopes hold less than a page, and the 10,000-item publish read 1.4× for that alone).
const SMALL = Number(process.env.BENCH_SMALL ?? 1000);
const BIG = Number(process.env.BENCH_BIG ?? 10000);
const LONG = Number(process.env.BENCH_LONG ?? 40);
const PUBLISHES = Number(process.env.BENCH_PUBLISHES ?? 20);
const ONLY = new RegExp(process.env.BENCH_ONLY ?? '');
const DEBUG = Boolean(process.env.BENCH_DEBUG);
const CORES = availableParallelism();
const PIN = process.env.BENCH_PIN !== '0' && CORES > 1;
const PAIR_CPU = String(CORES - 1);
const ALL_CPUS = `0-${CORES - 1}`;
const OTHER_CPUS = CORES > 2 ? `0-${CORES - 2}` : '0';
const began = performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const f2 = (x) => x.toFixed(2);
const n0 = (x) => Math.round(x).toLocaleString('en');
/** One publish line's figures: median wall time, workerd CPU and KV writes. */
const pub = (c) => `${c.ms.toFixed(1)} ms (CPU ${c.cpu.toFixed(1)} ms), ${c.writes} KV writes`;

/** A synthetic item: every third a video (enclosure, Media RSS, player); sections cut across kinds. */
function item(n) {
  const video = n % 3 === 0;
  return {
    slug: `story-${n}`,
    kind: video ? 'video' : 'article',
    title: `Story ${n}: council approves harbour plan`,
    summary: `A summary of story ${n}, two sentences long. It says what happened.`,
    body: `## Story ${n}\n\nThe council met on Tuesday and approved the plan. ${'Paragraph text with **bold** and a [link](https://example.com/). '.repeat(6)}\n\n- one\n- two\n`,
    published: new Date(Date.UTC(2015, 0, 1) + n * 600_000).toISOString().replace('.000Z', '+00:00'),
    language: 'en',
    section: ['World', 'Business', 'Sport'][Math.floor(n / 3) % 3],
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

const LONG_PARAGRAPH = 'The harbour drill ran past midnight, and the crews kept the **lights** on. ';
/** An item as a long read: a Markdown body of about 190 KB (the API takes 200,000 characters). */
function longItem(n) {
  return { ...item(n), body: `${LONG_PARAGRAPH.repeat(12)}\n\n`.repeat(210) };
}

async function call(w, method, path, body) {
  const res = await fetch(new URL(path, w.url), {
    method,
    headers: { Authorization: `Bearer ${w.token}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function importItems(w, from, to, make = item, batch = 200) {
  for (let start = from; start <= to; start += batch) {
    const items = [];
    for (let n = start; n <= Math.min(to, start + batch - 1); n++) items.push(make(n));
    await call(w, 'POST', '/api/import', { items });
  }
}

/**
 * Waits until the writer owes nothing at all (jobs, backlog, a rebuild, hub pings, edge purges):
 * its alarms run in the same workerd as the path under test, and would be measured as the read
 * path's cost. Purges included: without Workers Cache each is a no-op, but each still wakes the
 * writer, and a publish queues every purge twice, the second PURGE_REPEAT_MS later, so a line
 * measured before then shares its workerd with the writer's alarms. Resolves to the seconds it took.
 */
async function settle(w) {
  const t0 = performance.now();
  let s;
  for (let i = 0; i < 1500; i++) {
    s = await call(w, 'GET', '/api/status');
    if (!s.jobs.pending && !s.jobs.backlog && !s.hub.queued && !s.edgeCache.queued && !s.render.rebuild)
      return (performance.now() - t0) / 1000;
    await sleep(200);
  }
  throw new Error(
    `${w.url}: the writer did not settle in 300 s: ${JSON.stringify({ jobs: s.jobs, edgeCache: s.edgeCache, hub: s.hub.queued })}`,
  );
}

/**
 * Imports on a thread of its own, so building and parsing 200-item batches never stalls the event
 * loop that drives the load. Resolves to the seconds it took.
 */
function importInBackground(w, from, to) {
  const code = `const { parentPort, workerData: d } = require('node:worker_threads');
const item = ${item.toString()};
(async () => {
  const t = performance.now();
  for (let start = d.from; start <= d.to; start += 200) {
    const items = [];
    for (let n = start; n <= Math.min(d.to, start + 199); n++) items.push(item(n));
    const res = await fetch(d.url + '/api/import', { method: 'POST', headers: { Authorization: 'Bearer ' + d.token, 'Content-Type': 'application/json' }, body: JSON.stringify({ items }) });
    if (!res.ok) throw new Error('import: ' + res.status + ' ' + (await res.text()));
  }
  parentPort.postMessage((performance.now() - t) / 1000);
})();`;
  return new Promise((resolve, reject) => {
    const thread = new Worker(code, { eval: true, workerData: { url: w.url, token: w.token, from, to } });
    thread.once('message', resolve);
    thread.once('error', reject);
    thread.once('exit', (code) => reject(new Error(`the import thread exited (${code})`)));
  });
}

const pin = (pids, cpus) => PIN && pinProcesses(pids, cpus);
const running = [];
/** Starts a Miniflare instance, notes its workerd and pins it (every thread) to `cpus`. */
async function started(cpus, start) {
  const before = new Set(workerdChildren());
  const x = await start();
  running.push(x.mf);
  x.pids = workerdChildren().filter((p) => !before.has(p));
  pin(x.pids, cpus);
  return x;
}

/**
 * The reference: answers each URL with the very status, headers and bytes wirefeed answered it
 * with, from constants (a Headers object built once, copied natively by Response). Requests carry
 * the Host of the instance they mirror, so both sides get the same request bytes and the answer is
 * looked up by `req.url` as sent.
 */
async function startReference(answers) {
  const port = await freePort();
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: true,
      host: '127.0.0.1',
      port,
      compatibilityDate: '2026-11-17',
      scriptPath: 'scripts/reference-worker.js',
      bindings: { ANSWERS: answers },
    }),
  );
  await mf.ready;
  return { mf, url: `http://127.0.0.1:${port}` };
}

/** What wirefeed answers to `url` (autocannon asks for no encoding, so neither side compresses). */
async function record(url, headers, method = 'GET', payload = undefined) {
  const res = await fetch(url, { headers, method, body: payload });
  const body = res.status === 304 ? null : Buffer.from(await res.arrayBuffer()).toString('base64');
  const dropped = ['content-length', 'content-encoding', 'transfer-encoding', 'date', 'connection', 'keep-alive'];
  return {
    key: headers['If-None-Match'] ? `${url} 304` : url,
    status: res.status,
    headers: [...res.headers].filter(([k]) => !dropped.includes(k)),
    body,
  };
}

function checkAnswers(r, url, status) {
  const bad = status === 304 ? r['1xx'] + r['2xx'] + r['4xx'] + r['5xx'] : r.non2xx;
  if (bad || r.errors || r.timeouts)
    throw new Error(`${url}: ${bad} answers other than ${status}, ${r.errors} errors, ${r.timeouts} timeouts`);
}

/** One round: the line's URL and the reference loaded in the same window, half the connections each. */
async function round(l, ref) {
  const o = (base) => ({
    url: `${base}${l.path}`,
    // autocannon takes an unset method or body as given: only a line that has them sends them.
    ...(l.method ? { method: l.method } : {}),
    ...(l.body !== undefined ? { body: l.body } : {}),
    connections: HALF,
    duration: SECONDS,
    headers: { ...l.headers, host: l.host },
  });
  const elu = performance.eventLoopUtilization();
  const pids = [l.pids, ref.pids, [process.pid]];
  const c0 = DEBUG ? pids.map(cpuNs) : [];
  const [t, r] = await Promise.all([autocannon(o(l.url)), autocannon(o(ref.url))]);
  checkAnswers(t, `${l.url}${l.path}`, l.status);
  checkAnswers(r, `${ref.url}${l.path} (reference)`, l.status);
  const ratio = t.requests.total / r.requests.total;
  if (DEBUG)
    console.log(
      `  ${l.label.slice(0, 24).padEnd(24)} ${t.requests.total}/${r.requests.total} = ${f2(ratio)}; CPU ms ${pids.map((p, i) => ((cpuNs(p) - c0[i]) / 1e6).toFixed(0)).join('/')}`,
    );
  return {
    ratio,
    rps: t.requests.total / SECONDS,
    ref: r.requests.total / SECONDS,
    p50: t.latency.p50,
    elu: performance.eventLoopUtilization(elu).utilization,
  };
}

/** The q-quantile of sorted numbers, interpolated. */
function quantile(s, q) {
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return s[lo] + ((s[Math.ceil(i)] ?? s[lo]) - s[lo]) * (i - lo);
}
const median = (xs) =>
  quantile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );

/**
 * One line: a warm-up round (fills the isolates' caches and JIT), then its rounds back to back.
 * Lines do not take turns: a side left idle between its rounds starts each one colder than a side
 * kept busy (tried: the control, the reference against its idle copy, read 0.90 instead of 1.00).
 */
async function compare(l, ref) {
  await round(l, ref);
  const rounds = [];
  for (let i = 0; i < ROUNDS; i++) rounds.push(await round(l, ref));
  return report(l, rounds);
}

function report(l, rounds) {
  const s = rounds.map((r) => r.ratio).sort((a, b) => a - b);
  const m = (k) => median(rounds.map((r) => r[k]));
  const r = { ratio: quantile(s, 0.5), q1: quantile(s, 0.25), q3: quantile(s, 0.75), elu: Math.max(...rounds.map((x) => x.elu)) };
  const cols = [l.label.padEnd(40), n0(m('rps')).padStart(6), n0(m('ref')).padStart(6), String(m('p50')).padStart(4)];
  console.log(...cols, `  ${f2(r.ratio)}  ${f2(r.q1)}–${f2(r.q3)}  ${f2(s[0])}–${f2(s.at(-1))}  ${(r.elu * 100).toFixed(0).padStart(3)} %`);
  return r;
}

/**
 * Median wall time, CPU time of the instance's workerd (the Worker and its writer: on a busy
 * machine wall time is mostly waiting for a core) and KV writes of `count` publishes, one at a time.
 */
async function publishCost(w, startN, count, make = item, rewritten = undefined) {
  const times = [];
  const cpu = [];
  const writes = [];
  for (let i = 0; i < count; i++) {
    const before = rewritten && (await kvBlobs(w.pids));
    const c0 = cpuNs(w.pids);
    const t0 = performance.now();
    const r = await call(w, 'PUT', `/api/items/story-${startN + i}`, make(startN + i));
    times.push(performance.now() - t0);
    cpu.push((cpuNs(w.pids) - c0) / 1e6);
    writes.push(r.kvWrites);
    const after = rewritten && (await kvBlobs(w.pids));
    if (rewritten)
      rewritten(startN + i, r.kvWrites, before && after ? [...after].filter(([k, b]) => before.get(k) !== b).map(([k]) => k) : null);
  }
  return { ms: median(times), cpu: median(cpu), writes: median(writes) };
}

/** `item` with one more tag, `${desk}-0` … `${desk}-9` by its number: a desk a partner may be scoped to. */
const deskItem = (desk) => (n) => {
  const it = item(n);
  return { ...it, tags: [...it.tags, `${desk}-${n % 10}`] };
};

/**
 * The publish with 10 partners, on an instance of `size` items: the same publish (an item tagged
 * with one of ten desks) with no partner, then with ten partners each scoped to its own desk (the
 * item touches one), then an item of ten other desks (it touches none). Every desk tag is used once
 * before measuring, so each measured publish rewrites the same public documents in all three.
 */
async function partnerPublishes(w, size, base) {
  await importItems(w, base, base + 9, deskItem('desk'));
  await importItems(w, base + 10, base + 19, deskItem('other'));
  await settle(w);
  // Which partner documents each publish rewrote, read from Miniflare's KV store: the claim is
  // exactly the touched partner's, or none.
  const stray = [];
  let counted = true;
  const partnerKeys = (touches) => (n, kvWrites, keys) => {
    if (!keys) return void (counted = false);
    const mine = touches ? `partner:/partners/desk-${n % 10}/` : null;
    const theirs = keys.filter((k) => k.startsWith('partner:'));
    if (DEBUG)
      console.log(`  story-${n}: ${kvWrites} KV writes, ${keys.length} keys rewritten, partner documents: ${theirs.join(' ') || 'none'}`);
    if (theirs.some((k) => !mine || !k.startsWith(mine)) || (mine && !theirs.length))
      stray.push(`story-${n}: ${theirs.join(' ') || 'none of its partner'}`);
  };
  // The three runs start 3,000 apart: the same desks and the same kinds (every third a video, whose
  // publish writes one more public document), so their medians compare like with like.
  const none = await publishCost(w, base + 3000, PUBLISHES, deskItem('desk'), partnerKeys(false));
  const partners = Array.from({ length: 10 }, (_, k) => [`desk-${k}`, 'rss', { tags: [`desk-${k}`] }]);
  await putPartners(call, w, partners);
  await settle(w);
  const touched = await publishCost(w, base + 6000, PUBLISHES, deskItem('desk'), partnerKeys(true));
  await settle(w);
  const untouched = await publishCost(w, base + 9000, PUBLISHES, deskItem('other'), partnerKeys(false));
  const keys = !counted
    ? "partner documents rewritten: not counted (Miniflare's KV store not found)"
    : stray.length
      ? `partner documents rewritten NOT as claimed: ${stray.slice(0, 3).join('; ')}`
      : "each publish rewrote its one touched partner's documents, no other partner's";
  return (
    `${PARTNER_PUB} at ${n0(size)} items: 0 partners ${pub(none)}; 10 partners, one touched ${pub(touched)}; ` +
    `10 partners, none touched ${pub(untouched)}; touched/0 partners: CPU ${f2(touched.cpu / none.cpu)}, ` +
    `writes +${touched.writes - none.writes}; ${keys}`
  );
}

/**
 * Forces a full rebuild (every document rewritten, even identical bytes) and lets the writer's alarm
 * drive it to the end, as Miniflare runs alarms by itself, while two readers poll feeds and pages.
 * A key written twice in the rebuild counts once.
 */
async function rebuild(w) {
  const polled = ['/feed.xml', '/feed.json', '/tags/harbour/feed.atom', '/videos/story-3', '/archive/1'];
  const full = {
    '/feed.xml': (t) => t.includes('<item>'),
    '/feed.json': (t) => JSON.parse(t).items.length > 0,
    '/tags/harbour/feed.atom': (t) => t.includes('<entry>'),
  };
  let reading = true;
  const seen = { requests: 0, bad: 0, first: '' };
  const reader = async (k) => {
    for (let i = k; reading; i++) {
      const path = polled[i % polled.length];
      const res = await fetch(`${w.url}${path}`);
      const text = await res.text();
      seen.requests++;
      if (res.status !== 200 || !(full[path]?.(text) ?? true)) {
        seen.bad++;
        seen.first ||= `${path}: ${res.status}`;
      }
    }
  };
  const before = await kvBlobs(w.pids);
  const t0 = Date.now();
  const readers = [reader(0), reader(2)];
  const jobs = (await call(w, 'POST', '/api/rebuild')).render.rebuild?.total ?? 0;
  while ((await call(w, 'GET', '/api/rebuild')).rebuild) await sleep(200);
  const wall = (Date.now() - t0) / 1000;
  reading = false;
  await Promise.all(readers);
  const status = await call(w, 'GET', '/api/status');
  const after = await kvBlobs(w.pids);
  const rewritten = before && after ? [...after].filter(([k, blob]) => before.get(k) !== blob).length : null;
  const writes =
    rewritten === null
      ? "not counted (Miniflare's KV store not found)"
      : `${n0(rewritten)} of the ${n0(after.size)} keys KV holds rewritten`;
  return [
    `rebuild of ${n0(BIG)} items (POST /api/rebuild): ${n0(jobs)} jobs, ${n0(status.documents)} documents written in ${wall.toFixed(1)} s ` +
      `(${n0(status.documents / wall)}/s); KV writes: ${writes}` +
      `${status.jobs.failed ? `; ${status.jobs.failed} jobs set aside` : ''}`,
    `feeds answered 200 throughout: ${n0(seen.requests)} requests, ${seen.bad} non-200 or empty${seen.first ? ` (first: ${seen.first})` : ''}`,
  ];
}

// ---- what runs ------------------------------------------------------------------------------------
const PATHS = [
  ['/feed.xml', '/feed.xml'],
  ['/feed.atom', '/feed.atom'],
  ['/feed.json', '/feed.json'],
  ['tag feed /tags/harbour/feed.atom', '/tags/harbour/feed.atom'],
  ['section feed /sections/world/feed.xml', '/sections/world/feed.xml'],
  ['tag page /tags/harbour', '/tags/harbour'],
  ['archive /archive/1/feed.xml', '/archive/1/feed.xml'],
  ['item page /videos/story-3', '/videos/story-3'],
  ['oembed ?url=<item page>&maxwidth=500', null],
  ['/feed.xml If-None-Match (304)', '/feed.xml'],
].filter(([label]) => ONLY.test(label));
const CONTROL = 'control: reference ÷ its copy';
const COLD = 'cold /feed.xml (WARM_TTL=0: 1 KV get)';
const LONG_LINE = 'publish with long bodies';
const PARTNER_READ = 'partner feed (gateway + credential)';
const PARTNER_PUB = 'publish with 10 partners';
const COUNTED = audienceLines(ONLY);
const load = () =>
  `load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' / ')} (1 / 5 / 15 min, ${CORES} cores)`;
const [wantControl, wantCold, wantPublish, wantRebuild, wantLong, wantPartnerRead, wantPartnerPub] = [
  CONTROL,
  COLD,
  'publish',
  'rebuild',
  LONG_LINE,
  PARTNER_READ,
  PARTNER_PUB,
].map((l) => ONLY.test(l));

try {
  const script = process.env.BENCH_SCRIPT ?? buildWorker('dist/bench');
  // No static-asset router (in production the edge routes assets; locally it adds two Worker hops),
  // and no write pacing: the publish line measures what one publish renders and writes.
  // Purges go out as soon as they are due (each a no-op without Workers Cache), so a writer is idle
  // as soon as its last purge repeat is sent, PURGE_REPEAT_MS (1 s here) after the last write.
  const start = (cpus, bindings) =>
    started(cpus, () =>
      startWirefeed({
        script,
        assets: false,
        bindings: { KV_WRITE_GAP_MS: '0', PURGE_GAP_MS: '0', PURGE_REPEAT_MS: '1000', ...bindings },
      }),
    );
  console.log(
    `${CORES} cores, ${PIN ? `path and reference pinned to CPU ${PAIR_CPU}` : 'nothing pinned'}; items: ${ITEMS} behind the warm paths, ` +
      `100 behind cold, ${BIG} behind rebuild and publish (imported in the background${PIN ? ` on CPU ${OTHER_CPUS}` : ''})`,
  );
  console.log(`before: ${load()}`);
  // WARM_TTL=0 but on the warm instance: the cold line reads KV on every request, and the rebuild's
  // readers see what KV holds at each moment (the writer never reads KV, so publishing is unaffected).
  const big = wantRebuild || wantPublish || wantPartnerPub ? await start(OTHER_CPUS, { WARM_TTL: '0' }) : null;
  const bigImported = big && importInBackground(big, 1, BIG).catch((err) => err);
  const sinks = new Set(COUNTED.map((l) => l.sink));
  const warm = PATHS.length || wantPartnerRead || sinks.has('local') ? await start(PAIR_CPU, {}) : null;
  // The warm instance counts with the local sink (wrangler.toml's); each other sink has an instance alike but for it.
  const bySink = new Map();
  for (const sink of sinks) bySink.set(sink, sink === 'local' ? warm : await start(PAIR_CPU, { AUDIENCE_SINK: sink }));
  const sinkOnly = [...bySink].filter(([sink]) => sink !== 'local');
  const small = wantCold || wantPublish || wantLong || wantPartnerPub ? await start(PAIR_CPU, { WARM_TTL: '0' }) : null;
  const long = wantLong ? await start(PAIR_CPU, {}) : null;
  // Imports of long items go 20 at a time: a request body may hold 8 MiB.
  await Promise.all([
    warm && importItems(warm, 1, ITEMS),
    small && importItems(small, 1, SMALL),
    long && importItems(long, 1, LONG, longItem, 20),
    ...sinkOnly.map(([, w]) => importItems(w, 1, ITEMS)),
  ]);
  // What the counted requests need published first (a partner), on each instance they are measured on.
  for (const entry of new Set(COUNTED.map((l) => l.entry)))
    for (const w of new Set(COUNTED.filter((l) => l.entry === entry).map((l) => bySink.get(l.sink)))) await entry.prepare?.(call, w);
  // One partner of the plain RSS profile, every item in its scope: its feed holds the newest 50.
  if (wantPartnerRead) await putPartners(call, warm, [['bench-rss', 'rss', undefined]]);
  /** @type {[string, any][]} */
  const owing = [
    ['warm', warm],
    ['cold/publish', small],
    ['long bodies', long],
    ...sinkOnly.map(([sink, w]) => /** @type {[string, any]} */ ([`AUDIENCE_SINK ${sink}`, w])),
  ];
  const settled = await Promise.all(owing.map(([, w]) => w && settle(w)));
  console.log(
    `settled (nothing owed: jobs, backlog, purges, hub pings) in ${owing
      .map(([name], i) => settled[i] !== null && `${settled[i].toFixed(1)} s (${name})`)
      .filter(Boolean)
      .join(', ')}`,
  );

  const answers = [];
  const lines = [];
  const line = async (label, w, path, headers = {}, more = {}) => {
    const a = await record(`${w.url}${path}`, headers, more.method, more.body);
    answers.push(a);
    lines.push({ label, url: w.url, pids: w.pids, host: new URL(w.url).host, path, headers, status: a.status, ...more });
  };
  const etag = warm && (await fetch(`${warm.url}/feed.xml`)).headers.get('ETag');
  for (const [label, p] of PATHS) {
    await line(
      label,
      warm,
      p ?? `/oembed?url=${encodeURIComponent(`${warm.url}/videos/story-3`)}&maxwidth=500`,
      label.includes('304') ? { 'If-None-Match': etag } : {},
    );
  }
  if (wantCold) await line(COLD, small, '/feed.xml');
  // Through the gateway: the credential checked by the Credentials Durable Object, then Documents.
  if (wantPartnerRead) {
    const feed = await partnerFeed(call, warm, 'bench-rss');
    await line(PARTNER_READ, warm, feed.path, feed.headers);
  }
  // Side by side: each counted request once per sink, in the order of SINKS.
  for (const l of COUNTED) {
    const w = bySink.get(l.sink);
    const r = typeof l.entry.request === 'function' ? await l.entry.request(call, w) : l.entry.request;
    await line(l.label, w, r.path, r.headers, { method: r.method, body: r.body, audience: l });
  }
  const ref = lines.length ? await started(PAIR_CPU, () => startReference(answers)) : null;
  // The control: the reference against a copy of itself on the first line's path. It should read
  // 1.00; its spread is the noise floor of every other line.
  if (wantControl && lines.length) {
    const copy = await started(PAIR_CPU, () => startReference(answers));
    lines.unshift({ ...lines[0], label: CONTROL, url: copy.url, pids: copy.pids, audience: undefined });
  }
  if (lines.length) {
    console.log(
      `\nEach round loads the path and a constant-response reference (same status, headers and bytes, its own workerd)\n` +
        `together, ${HALF} + ${HALF} connections for ${SECONDS} s; ratio = path req/s ÷ reference req/s of that round.\n` +
        `${ROUNDS} rounds after a warm-up: median ratio, interquartile range, min–max; load gen = the load generator's busiest round.\n` +
        `The control line's spread is the noise floor.\n`,
    );
    console.log('path'.padEnd(40), ' req/s', ' ref/s', ' p50', '  ratio IQR        min–max    load gen');
  }
  const measured = [];
  for (const l of lines) {
    const r = await compare(l, ref);
    if (l.audience) measured.push({ ...l.audience, ratio: r.ratio });
  }
  if (COUNTED.length) {
    console.log(`\nAudience lines: the same request on instances alike but for AUDIENCE_SINK, which each tag names:`);
    for (const s of SINKS.filter((s) => COUNTED.some((l) => l.sink === s.sink))) console.log(`  ${s.tag}: ${s.says}`);
    const costs = countingCosts(measured);
    if (costs.length) console.log(`What counting costs (a counted line's ratio ÷ the same request's with none):\n${costs.join('\n')}`);
  }
  if (lines.length) console.log(`after the read lines: ${load()}`);

  if (big) {
    const imported = await bigImported;
    if (imported instanceof Error) throw imported;
    console.log(`\n${n0(BIG)} items imported in ${imported.toFixed(0)} s (in the background, ${BIG / 200} imports of 200)`);
    pin(big.pids, ALL_CPUS);
    console.log(`settled in ${(await settle(big)).toFixed(1)} s (${n0(BIG)} items)`);
  }
  const atSmall = wantPublish || wantLong ? await publishCost(small, 100001, PUBLISHES) : null;
  const rebuilt = wantRebuild ? await rebuild(big) : [];
  const vs = (c) => `ratio time ${f2(c.ms / atSmall.ms)}, CPU ${f2(c.cpu / atSmall.cpu)}, writes ${f2(c.writes / atSmall.writes)}`;
  if (wantPublish) {
    const atBig = await publishCost(big, 200001, PUBLISHES);
    console.log(`publish: ${pub(atSmall)} at ${n0(SMALL)} items; ${pub(atBig)} at ${n0(BIG)} items; ${vs(atBig)}`);
  }
  if (wantLong) {
    // Every feed of the item's scopes holds LONG items of ~190 KB: over the 4 MiB budget, so each
    // document is cut to fit, four formats per scope.
    const atLong = await publishCost(long, 300001, PUBLISHES, longItem);
    console.log(
      `${LONG_LINE}: ${pub(atSmall)} at ${n0(SMALL)} short items; ${pub(atLong)} at ${LONG} items of ${n0(JSON.stringify(longItem(1)).length / 1024)} KB; ${vs(atLong)}`,
    );
  }
  for (const text of rebuilt) console.log(text);
  if (wantPartnerPub) {
    console.log(await partnerPublishes(small, SMALL, 400001));
    console.log(await partnerPublishes(big, BIG, 500001));
  }
} finally {
  for (const mf of running) await mf.dispose().catch(() => undefined);
  console.log(`\nwhole run: ${((performance.now() - began) / 1000).toFixed(0)} s`);
}
