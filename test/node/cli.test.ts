// The newsroom CLIs against the bundled Worker: `npm run publish` as a sync (plan, only what changed,
// dry run, prune, bad files, site.yaml), its hash against the writer's, and `npm run status`.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { canonical as serverCanonical, contentHash as serverHash } from '../../src/model/hash';
import { readContent } from '../../scripts/content-dir.mjs';
import { canonical, contentHash, publicationOrder } from '../../scripts/content.mjs';
import { startWirefeed } from '../../scripts/harness.mjs';
import { BATCH_BYTES, BATCH_ITEMS, batches, sync } from '../../scripts/sync.mjs';

type Seen = { method: string; path: string; body: string };
const script = inject('workerScript');
let w: Awaited<ReturnType<typeof startWirefeed>>;
let proxy: { url: string; seen: Seen[]; server: Server };
let dir: string;

/** Forwards every request to the Worker and records it, so a test can count what the CLI sent. */
async function countingProxy(target: string): Promise<typeof proxy> {
  const seen: Seen[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    seen.push({ method: req.method ?? '', path: req.url ?? '', body: body.toString('utf8') });
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([k, v]) => typeof v === 'string' && !['host', 'connection', 'content-length'].includes(k)),
    ) as Record<string, string>;
    const r = await fetch(`${target}${req.url}`, { method: req.method, headers, ...(body.length ? { body } : {}) });
    const out = Buffer.from(await r.arrayBuffer());
    res.writeHead(r.status, { 'Content-Type': r.headers.get('Content-Type') ?? 'application/octet-stream', 'Content-Length': out.length });
    res.end(out);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, seen, server };
}

const writes = () => proxy.seen.filter((s) => s.method !== 'GET');
const imported = () =>
  proxy.seen.filter((s) => s.path === '/api/import').flatMap((s) => (JSON.parse(s.body).items as { slug: string }[]).map((i) => i.slug));

/** The CLI as a newsroom runs it (async: the proxy lives in this process). */
function cli(file: 'publish' | 'status', ...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`scripts/${file}.mjs`, '--url', proxy.url, ...args], {
      env: { ...process.env, API_TOKEN: w.token },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const api = async (path: string, init: RequestInit = {}) =>
  fetch(`${w.url}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${w.token}`, 'Content-Type': 'application/json', ...init.headers },
  });
const listed = async () => ((await (await api('/api/items?limit=1000')).json()) as { items: { slug: string; hash: string }[] }).items;
const quiet = { log: () => {}, warn: () => {}, progress: false as const };
const SLUGS = readdirSync('content/items')
  .map((f) => f.replace(/\.md$/, ''))
  .sort();
const file = (name: string) => join(dir, 'items', name);

/** A fresh writer (in-memory KV and Durable Object), its counting proxy and a copy of content/ for every test. */
function freshWriterPerTest() {
  beforeEach(async () => {
    w = await startWirefeed({ script, bindings: { KV_WRITE_GAP_MS: '0' } });
    proxy = await countingProxy(w.url);
    dir = mkdtempSync(join(tmpdir(), 'wirefeed-cli-'));
    cpSync('content', dir, { recursive: true });
  });
  afterEach(async () => {
    proxy?.server.close();
    await w?.mf.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
}

describe('without a writer', () => {
  it('hashes as the writer does: same canonical JSON and hash for arbitrary JSON values', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        expect(canonical(value)).toBe(serverCanonical(value));
        expect(await contentHash(value)).toBe(await serverHash(value));
      }),
      { numRuns: 60 },
    );
  });

  it('splits imports at 200 items and about 4 MiB', () => {
    const item = (n: number, bytes: number) => ({
      file: `${n}.md`,
      slug: `s-${n}`,
      id: undefined,
      body: {},
      hash: '',
      json: JSON.stringify({ slug: `s-${n}`, body: 'x'.repeat(bytes) }),
    });
    expect(batches(Array.from({ length: 450 }, (_, n) => item(n, 10))).map((b) => b.length)).toEqual([BATCH_ITEMS, BATCH_ITEMS, 50]);
    const big = batches(Array.from({ length: 10 }, (_, n) => item(n, 900_000)));
    for (const b of big) expect(`{"items":[${b.map((i) => i.json).join(',')}]}`.length).toBeLessThanOrEqual(BATCH_BYTES);
    expect(big.flat()).toHaveLength(10);
    expect(big.length).toBe(3);
  });
});

describe('content hash', () => {
  freshWriterPerTest();

  it('equals the meta.hash the API answers for every content/ item, and the listed hash', async () => {
    await sync({ url: w.url, dir, token: w.token, ...quiet });
    const local = await readContent(dir);
    expect(local.items.map((i) => i.slug).sort()).toEqual(SLUGS);
    const list = new Map((await listed()).map((i) => [i.slug, i.hash]));
    for (const it of local.items) {
      const got = (await (await api(`/api/items/${it.slug}`)).json()) as { meta: { hash: string } };
      expect(got.meta.hash, it.file).toBe(it.hash);
      expect(list.get(it.slug as string), it.file).toBe(it.hash);
    }
  });
});

describe('npm run publish (sync)', () => {
  freshWriterPerTest();

  it('publishes every content/ item on the first run and sends nothing on the second', async () => {
    const first = await cli('publish', '--dir', dir);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain(`Plan: ${SLUGS.length} new, 0 changed, 0 unchanged; site.yaml changed`);
    // content/partners.yaml: its partners are sent before the items (an item's rights may name them).
    expect(first.stdout).toContain('Partners: 2 new, 0 changed, 0 unchanged');
    expect(first.stdout).toContain('Partners: 2 new, 0 changed, 0 deleted');
    const puts = proxy.seen.filter((s) => s.method !== 'GET').map((s) => `${s.method} ${s.path}`);
    expect(puts.slice(1, 3)).toEqual(['PUT /api/partners/msn-start', 'PUT /api/partners/world-licensee']);
    expect(first.stdout).toMatch(
      new RegExp(
        `Done in [\\d.]+ s: ${SLUGS.length} published, 0 failed, 0 withdrawn \\(${SLUGS.length} new, 0 updated\\); site updated; writer: [1-9]\\d* KV writes`,
      ),
    );
    expect((await listed()).map((i) => i.slug)).toEqual(SLUGS);
    // Oldest first, so feed positions follow publication.
    const local = (await readContent(dir)).items.map((i) => ({ slug: i.slug as string, published: String(i.body.published) }));
    expect(imported()).toEqual(publicationOrder(local).map((i) => i.slug));
    expect(imported().sort()).toEqual(SLUGS);
    const status = async () => (await (await api('/api/status')).json()) as { lastPublish: string; documents: number };
    const before = await status();

    proxy.seen.length = 0;
    const second = await cli('publish', '--dir', dir);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toContain(`Plan: 0 new, 0 changed, ${SLUGS.length} unchanged; site.yaml unchanged`);
    expect(second.stdout).toMatch(
      /0 published, 0 failed, 0 withdrawn .*writer: 0 KV writes, 0 KV deletes, 0 deferred, 0 pending, 0 failed jobs; 3 requests/,
    );
    expect(second.stdout).toContain('Partners: 0 new, 0 changed, 2 unchanged');
    expect(proxy.seen.map((s) => `${s.method} ${s.path.split('?')[0]}`)).toEqual(['GET /api/items', 'GET /api/site', 'GET /api/partners']);
    expect(await status()).toEqual(before);
  });

  it('sends exactly the one changed file, and the change reaches the feed', async () => {
    await sync({ url: proxy.url, dir, token: w.token, ...quiet });
    const name = 'harbour-drill-tests-coastguard-response.md';
    writeFileSync(file(name), readFileSync(file(name), 'utf8').replace(/^title: .*$/m, 'title: Harbour drill, revised'));
    proxy.seen.length = 0;
    const r = await sync({ url: proxy.url, dir, token: w.token, ...quiet });
    expect(r.plan.changed.map((i) => i.file)).toEqual([name]);
    expect(r.plan.unchanged).toHaveLength(SLUGS.length - 1);
    expect(imported()).toEqual(['harbour-drill-tests-coastguard-response']);
    expect(writes()).toHaveLength(1);
    expect(r.done).toMatchObject({ created: 0, updated: 1, withdrawn: 0 });
    expect(r.writer.kvWrites).toBeGreaterThan(0);
    expect(await (await fetch(`${w.url}/feed.json`)).text()).toContain('Harbour drill, revised');
  });

  it('--dry-run prints the plan and changes nothing', async () => {
    const r = await cli('publish', '--dir', dir, '--dry-run');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Plan (dry run, nothing will be sent): ${SLUGS.length} new, 0 changed, 0 unchanged; site.yaml changed`);
    expect(r.stdout).toContain('what-the-leaflet-campaigns-are.md');
    expect(r.stdout).not.toContain('Done in');
    expect(writes()).toEqual([]);
    expect(await listed()).toEqual([]);
    const local = await readContent(dir);
    expect(((await (await api('/api/site')).json()) as { meta: { hash: string } }).meta.hash).not.toBe(local.site?.hash);
  });

  it('withdraws an item whose file is gone only with --prune, naming it first', async () => {
    await sync({ url: w.url, dir, token: w.token, ...quiet });
    const gone = 'newsrooms-test-ai-transcription';
    const path = (await (await api(`/api/items/${gone}`)).json()) as { meta: { path: string } };
    rmSync(file(`${gone}.md`));

    const plain = await cli('publish', '--dir', dir);
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stdout).toContain(`1 published item has no file (run with --prune to withdraw them): ${gone}`);
    expect(writes()).toEqual([]);
    expect((await listed()).map((i) => i.slug)).toContain(gone);
    expect((await fetch(`${w.url}${path.meta.path}`)).status).toBe(200);

    const dry = await cli('publish', '--dir', dir, '--prune', '--dry-run');
    expect(dry.stdout).toContain(`  withdraw:  ${gone}`);
    expect(writes()).toEqual([]);

    const pruned = await cli('publish', '--dir', dir, '--prune');
    expect(pruned.status, pruned.stderr).toBe(0);
    const lines = pruned.stdout.split('\n');
    const named = lines.findIndex((l) => l === `  withdraw:  ${gone}`);
    expect(named).toBeGreaterThan(-1);
    expect(named).toBeLessThan(lines.findIndex((l) => l.startsWith('Done in')));
    expect(pruned.stdout).toMatch(/0 published, 0 failed, 1 withdrawn/);
    const deletes = writes();
    expect(deletes.map((d) => `${d.method} ${d.path}`)).toEqual([`DELETE /api/items/${gone}`]);
    expect((await listed()).map((i) => i.slug)).toEqual(SLUGS.filter((s) => s !== gone));
    expect((await fetch(`${w.url}${path.meta.path}`)).status).toBe(410);
  });

  it('reports a bad file by name and field, exits non-zero, and still publishes the good files', async () => {
    const seed = readFileSync(file('n-korea-blows-up-inter-korean-liaison-office.md'), 'utf8');
    writeFileSync(
      file('broken-date.md'),
      seed.replace(/^slug: .*$/m, 'slug: broken-date').replace(/^published: .*$/m, 'published: yesterday'),
    );
    writeFileSync(file('broken-yaml.md'), '---\nslug: broken-yaml\ntitle: [unclosed\n---\nBody.\n');
    writeFileSync(
      file('too-many-tags.md'),
      seed
        .replace(/^slug: .*$/m, 'slug: too-many-tags')
        .replace(/^tags: .*$/m, `tags: [${Array.from({ length: 31 }, (_, i) => `t${i}`).join(', ')}]`),
    );
    const r = await cli('publish', '--dir', dir, '--prune');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^broken-date\.md: published: "yesterday" is not a date-time with an offset/m);
    expect(r.stderr).toMatch(/^broken-yaml\.md: \(front matter\): \S/m);
    expect(r.stderr).toMatch(/^too-many-tags\.md: tags: /m);
    expect(r.stdout).toContain(`${SLUGS.length} published, 3 failed, 0 withdrawn`);
    expect((await listed()).map((i) => i.slug)).toEqual(SLUGS);
  });

  it('a refusal by the writer (409, not the schema) names the file, and the rest of the batch still goes', async () => {
    await sync({ url: w.url, dir, token: w.token, ...quiet });
    const { meta } = (await (await api('/api/items/what-the-leaflet-campaigns-are')).json()) as { meta: { id: string } };
    const thief = 'exporters-brace-for-slower-quarter.md';
    writeFileSync(file(thief), readFileSync(file(thief), 'utf8').replace(/^slug: (.*)$/m, `slug: $1\nid: ${meta.id}`));
    const good = 'harbour-drill-tests-coastguard-response.md';
    writeFileSync(file(good), readFileSync(file(good), 'utf8').replace(/^title: .*$/m, 'title: Harbour drill, second look'));
    proxy.seen.length = 0;
    const r = await sync({ url: proxy.url, dir, token: w.token, ...quiet });
    expect(r.failed).toEqual([
      expect.stringMatching(
        /^exporters-brace-for-slower-quarter\.md: slug: "exporters-brace-for-slower-quarter" already belongs to another item/,
      ),
    ]);
    expect(r.done).toMatchObject({ created: 0, updated: 1 });
    // All or nothing per request: both sent, the refused one dropped, the good one sent again alone.
    const bodies = proxy.seen
      .filter((x) => x.path === '/api/import')
      .map((x) => (JSON.parse(x.body).items as { slug: string }[]).map((i) => i.slug).sort());
    expect(bodies).toEqual([
      ['exporters-brace-for-slower-quarter', 'harbour-drill-tests-coastguard-response'],
      ['harbour-drill-tests-coastguard-response'],
    ]);
    expect((await (await api('/api/items/what-the-leaflet-campaigns-are')).json()).item.slug).toBe('what-the-leaflet-campaigns-are');
    expect(await (await fetch(`${w.url}/feed.json`)).text()).toContain('Harbour drill, second look');
  });

  it('never prunes while a file cannot be read (its item would look deleted)', async () => {
    await sync({ url: w.url, dir, token: w.token, ...quiet });
    writeFileSync(file('what-the-leaflet-campaigns-are.md'), '---\nslug: what-the-leaflet-campaigns-are\ntitle: "unclosed\n---\n');
    const r = await sync({ url: proxy.url, dir, token: w.token, prune: true, ...quiet });
    expect(r.failed).toEqual([expect.stringMatching(/^what-the-leaflet-campaigns-are\.md: \(front matter\): /)]);
    expect(r.plan.withdraw).toEqual([]);
    expect(r.plan.pruneBlocked).toBe(true);
    expect(writes()).toEqual([]);
    expect(await listed()).toHaveLength(SLUGS.length);
  });

  it('syncs site.yaml by its hash: a change is sent once, then nothing', async () => {
    await sync({ url: w.url, dir, token: w.token, ...quiet });
    writeFileSync(join(dir, 'site.yaml'), readFileSync(join(dir, 'site.yaml'), 'utf8').replace(/^title: .*$/m, 'title: Wirefeed Weekend'));
    proxy.seen.length = 0;
    const r = await sync({ url: proxy.url, dir, token: w.token, ...quiet });
    expect(r.plan.site).toBe('changed');
    expect(r.done.site).toBe('updated');
    expect(writes().map((s) => `${s.method} ${s.path}`)).toEqual(['PUT /api/site']);
    expect(((await (await api('/api/site')).json()) as { site: { title: string } }).site.title).toBe('Wirefeed Weekend');
    expect(await (await fetch(`${w.url}/feed.json`)).text()).toContain('Wirefeed Weekend');
    proxy.seen.length = 0;
    expect((await sync({ url: proxy.url, dir, token: w.token, ...quiet })).plan.site).toBe('unchanged');
    expect(writes()).toEqual([]);
  });

  it('renames an item whose file keeps its id under a new slug, without counting the old slug as gone', async () => {
    await sync({ url: w.url, dir, token: w.token, ...quiet });
    const old = 'exporters-brace-for-slower-quarter';
    const { meta } = (await (await api(`/api/items/${old}`)).json()) as { meta: { id: string; path: string } };
    const text = readFileSync(file(`${old}.md`), 'utf8').replace(/^slug: .*$/m, `slug: exporters-brace\nid: ${meta.id}`);
    rmSync(file(`${old}.md`));
    writeFileSync(file('exporters-brace.md'), text);
    const r = await sync({ url: proxy.url, dir, token: w.token, prune: true, ...quiet });
    expect(r.plan.changed.map((i) => [i.file, i.renamedFrom])).toEqual([['exporters-brace.md', old]]);
    expect(r.plan.withdraw).toEqual([]);
    expect(r.failed).toEqual([]);
    const moved = await fetch(`${w.url}${meta.path}`, { redirect: 'manual' });
    expect(moved.status).toBe(301);
    expect(moved.headers.get('Location')).toMatch(/\/exporters-brace$/);
  });
});

describe('npm run status', () => {
  freshWriterPerTest();

  it('prints the writer’s state for a person, scheduled items with their times', async () => {
    const seed = readFileSync(file('what-the-leaflet-campaigns-are.md'), 'utf8');
    writeFileSync(
      file('tomorrow.md'),
      seed
        .replace(/^slug: .*$/m, 'slug: tomorrow')
        .replace(/^published: .*$/m, 'published: 2199-06-01T09:00:00+00:00')
        .replace(/^updated: .*$/m, ''),
    );
    await sync({ url: w.url, dir, token: w.token, ...quiet });
    const r = await cli('status');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Items:         ${SLUGS.length} published, 1 scheduled`);
    expect(r.stdout).toMatch(/^ {2}scheduled {4}tomorrow at 2199-06-01 09:00:00 UTC \(in \d+ d\)$/m);
    expect(r.stdout).toMatch(/^Jobs: {10}0 pending, 0 in the backlog, 0 failed$/m);
    expect(r.stdout).toMatch(/^Live counts: {3}0 pages owed, last applied never$/m);
    expect(r.stdout).toMatch(/^Render: {8}version \d+/m);
    expect(r.stdout).toMatch(/^Last publish: {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(\d+ s ago\)$/m);
    expect(r.stdout).toMatch(/^WebSub hub: {4}none configured/m);
    expect(r.stdout).toMatch(/^Edge cache: {4}last purge /m);
    // Per partner of content/partners.yaml, each item it refuses and why: the wire copy reaches neither.
    expect(r.stdout).toMatch(/^Partners: {6}2$/m);
    expect(r.stdout).toMatch(/^ {2}world-licensee \(ninjs\): \d+ of \d+ items delivered, [1-9]\d* refused/m);
    for (const id of ['msn-start', 'world-licensee']) {
      const section = r.stdout.slice(r.stdout.indexOf(`  ${id} (`));
      expect(section).toMatch(/^ {4}refused {4}fishing-fleet-returns-early-wire: the item's rights say "syndication": "none"$/m);
    }
    const raw = await cli('status', '--json');
    expect(JSON.parse(raw.stdout)).toMatchObject({ items: { published: SLUGS.length, scheduled: 1 }, scheduled: [{ slug: 'tomorrow' }] });
  });
});
