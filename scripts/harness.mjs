// Runs the bundled Worker (the deploy bundle) under Miniflare on 127.0.0.1, for Node-side tools.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
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
