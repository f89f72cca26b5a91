// Runs the bundled Worker (the deploy bundle) under Miniflare on 127.0.0.1, for Node-side tools.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';

/** Builds the Worker exactly as `npm run deploy:check` does. @returns {string} the bundle's path */
export function buildWorker(outdir = 'dist/worker') {
  execFileSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', outdir], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  });
  return `${outdir}/index.js`;
}

/** @returns {Promise<number>} a free TCP port on 127.0.0.1 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (s.address());
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts wirefeed under Miniflare with fresh in-memory KV and Durable Object storage.
 * `assets: false` leaves out the static-asset router: in production Cloudflare's edge routes assets,
 * while locally Miniflare adds two Worker hops to every request, which the benchmark must not count.
 * @param {{ script?: string, bindings?: Record<string, string>, assets?: boolean }} [o]
 * @returns {Promise<{ mf: Miniflare, url: string, token: string }>}
 */
export async function startWirefeed(o = {}) {
  const script = o.script ?? buildWorker();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const token = randomBytes(18).toString('base64url');
  // The bundle is one ES module, so wrangler's module rules (which Miniflare 5 cannot convert) go.
  const { modulesRules: _rules, ...workerOptions } = unstable_getMiniflareWorkerOptions('wrangler.toml').workerOptions;
  if (o.assets === false) delete workerOptions.assets;
  // Miniflare 5 takes a list of workers; wrangler still describes one worker in the v4 shape.
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      ...workerOptions,
      name: 'wirefeed',
      modules: true,
      scriptPath: script,
      host: '127.0.0.1',
      port,
      bindings: { ...workerOptions.bindings, SITE_URL: url, API_TOKEN: token, ...o.bindings },
    }),
  );
  await mf.ready;
  return { mf, url, token };
}

// Linux process plumbing for the benchmark: which workerd an instance runs in, where it runs, what it spends.

/** The workerd processes this process started (Miniflare spawns them as its children). @returns {number[]} */
export function workerdChildren() {
  const pids = [];
  for (const d of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const m = /^\d+ \((.*)\) \S (\d+)/.exec(readFileSync(`/proc/${d}/stat`, 'utf8'));
      if (m?.[1] === 'workerd' && Number(m[2]) === process.pid) pids.push(Number(d));
    } catch {} // it ended while we looked
  }
  return pids;
}

/**
 * Pins every thread of these processes to `cpus` (a taskset CPU list such as "1" or "0-2").
 * @param {number[]} pids
 * @param {string} cpus
 */
export function pinProcesses(pids, cpus) {
  for (const pid of pids) execFileSync('taskset', ['-a', '-cp', cpus, String(pid)], { stdio: 'ignore' });
}

/**
 * Nanoseconds on CPU of every thread of these processes, from schedstat.
 * @param {number[]} pids
 * @returns {number}
 */
export function cpuNs(pids) {
  let ns = 0;
  for (const pid of pids) {
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
      } catch {}
    }
  }
  return ns;
}

/**
 * Every KV key of an instance and the blob its value lives in, read from Miniflare's own store (a
 * SQLite file its workerd holds open; each put stores a new blob), or null when it cannot be found.
 * Node cannot wrap the writer's KV binding, and a rewrite of identical bytes keeps the document's
 * validators, so this is how the bench sees which keys a rebuild really rewrote.
 * @param {number[]} pids
 * @returns {Promise<Map<string, string> | null>}
 */
export async function kvBlobs(pids) {
  const links = pids.flatMap((pid) =>
    readdirSync(`/proc/${pid}/fd`).map((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        return '';
      }
    }),
  );
  // The namespace's SQLite file is open only while its Durable Object is awake; the instance's
  // storage directory always holds some open file.
  const root = links.map((f) => /^(.*\/miniflare-[0-9a-f]+)\//.exec(f)?.[1]).find(Boolean);
  const dir = `${root}/kv/miniflare-KVNamespaceObject`;
  const name = root && existsSync(dir) ? readdirSync(dir).find((f) => /^[0-9a-f]{64}\.sqlite$/.test(f)) : undefined;
  const file = name && `${dir}/${name}`;
  if (!file) return null;
  const emit = process.emitWarning;
  process.emitWarning = (w, ...rest) => (String(w).includes('SQLite') ? undefined : emit.call(process, w, ...rest)); // node:sqlite is "experimental"
  const { DatabaseSync } = await import('node:sqlite');
  process.emitWarning = emit;
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return new Map(
      db
        .prepare('SELECT key, blob_id FROM _mf_entries')
        .all()
        .map((r) => [r.key, r.blob_id]),
    );
  } catch {
    return null;
  } finally {
    db.close();
  }
}
