// `npm run deploy`: its dry run (the plan it prints and the real `wrangler deploy --dry-run` with the
// values it would deploy), what it refuses, and the wrangler.toml edit that records the KV namespace.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PLACEHOLDER_KV_ID, kvNamespaceId, settingsProblem, withKvNamespaceId } from '../../scripts/deploy-state.mjs';

const ROOT = resolve('.');
const TOML = readFileSync('wrangler.toml', 'utf8');
const KV_ID = '0123456789abcdef0123456789abcdef';
const TOKEN = 'tok_7d1f0c2e9b8a4d6f_do-not-print';
let dir = '';

/** A project of its own (wrangler.toml copied, code and node_modules linked), so nothing here touches the repo's files. */
function project(toml = TOML) {
  dir = mkdtempSync(join(tmpdir(), 'wirefeed-deploy-test-'));
  for (const f of ['node_modules', 'src', 'content', 'package.json', 'tsconfig.json']) symlinkSync(join(ROOT, f), join(dir, f));
  writeFileSync(join(dir, 'wrangler.toml'), toml);
}

function deploy(...args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts/deploy.mjs'), ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', API_TOKEN: '' },
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, all: r.stdout + r.stderr };
}

afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

describe('npm run deploy -- --dry-run', () => {
  it('plans a first deploy: KV namespace created, token generated, custom domain, /healthz, sync; wrangler checks the deploy', () => {
    // As a fresh clone has it (a newsroom's fork commits its real id after the first deploy).
    const fresh = withKvNamespaceId(TOML, PLACEHOLDER_KV_ID);
    project(fresh);
    const r = deploy('--dry-run', '--site-url', 'https://news.example.com', '--domain', 'news.example.com');
    expect(r.status, r.all).toBe(0);
    const lines = r.stdout.split('\n');
    const order = [
      '$ npx wrangler whoami --json',
      '$ npx wrangler kv namespace create wirefeed-feeds --binding FEEDS',
      'generate a new API token',
      '$ npx wrangler deploy --var SITE_URL:https://news.example.com --domain news.example.com --secrets-file .deploy/secrets.json',
      'https://news.example.com/healthz',
      'sync content/ to https://news.example.com',
    ].map((s) => lines.findIndex((l) => l.includes(s)));
    expect(
      order.every((i) => i >= 0),
      r.stdout,
    ).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // The real dry run: the same flags, a throwaway secrets file, and wrangler's bundle report.
    expect(r.stdout).toMatch(
      /\$ npx wrangler deploy --var SITE_URL:https:\/\/news\.example\.com --domain news\.example\.com --secrets-file \/\S+\/secrets\.json --dry-run/,
    );
    expect(r.stdout).toMatch(/Total Upload: [\d.]+ KiB \/ gzip: [\d.]+ KiB/);
    expect(r.stdout).toContain('env.API_TOKEN');
    expect(r.stdout).toMatch(/Dry run OK: .*gzip/);
    // Nothing was written: no token, no settings, wrangler.toml as it was.
    // (wrangler's own .wrangler/ scratch directory aside).
    expect(
      readdirSync(dir)
        .filter((f) => f !== '.wrangler')
        .sort(),
    ).toEqual(['content', 'node_modules', 'package.json', 'src', 'tsconfig.json', 'wrangler.toml']);
    expect(readFileSync(join(dir, 'wrangler.toml'), 'utf8')).toBe(fresh);
  });

  it('plans a later deploy from deploy.json, wrangler.toml and the kept token, and never prints the token', () => {
    project(withKvNamespaceId(TOML, KV_ID));
    mkdirSync(join(dir, '.deploy'));
    writeFileSync(join(dir, '.deploy/secrets.json'), JSON.stringify({ API_TOKEN: TOKEN }), { mode: 0o600 });
    writeFileSync(join(dir, 'deploy.json'), JSON.stringify({ siteUrl: 'https://news.example.com', route: 'news.example.com/*' }));
    const r = deploy('--dry-run', '--no-sync');
    expect(r.status, r.all).toBe(0);
    expect(r.stdout).not.toContain('kv namespace create');
    expect(r.stdout).toContain(`KV namespace: ${KV_ID} (from wrangler.toml)`);
    expect(r.stdout).toContain('API token: reuse .deploy/secrets.json');
    expect(r.stdout).toContain(
      "$ npx wrangler deploy --var SITE_URL:https://news.example.com --route 'news.example.com/*' --secrets-file .deploy/secrets.json\n",
    );
    expect(r.stdout).not.toContain('sync content/');
    // wrangler read the namespace id and the kept secrets file (its bindings list them).
    expect(r.stdout).toContain(`env.FEEDS (${KV_ID})`);
    expect(r.stdout).toContain('--secrets-file .deploy/secrets.json --dry-run');
    expect(r.all).not.toContain(TOKEN);
  });
});

describe('npm run deploy refuses, with exit code 2 and the flag named', () => {
  beforeEach(() => project(withKvNamespaceId(TOML, PLACEHOLDER_KV_ID)));

  it.each([
    [['--domain', 'news.example.com'], /--site-url is required/],
    [['--site-url', 'http://news.example.com', '--domain', 'news.example.com'], /--site-url must be https:\/\//],
    [['--site-url', 'https://127.0.0.1:8787', '--domain', '127.0.0.1'], /--site-url must name a public hostname/],
    [['--site-url', 'https://localhost'], /--site-url must name a public hostname/],
    [['--site-url', 'https://news.example.com/feeds', '--domain', 'news.example.com'], /--site-url must be an origin/],
    [['--site-url', 'https://news.example.com'], /--domain or --route is required/],
    [
      ['--site-url', 'https://news.example.com', '--domain', 'www.example.com'],
      /--domain www\.example\.com must be the host of --site-url/,
    ],
    [['--site-url', 'https://news.example.com', '--route', 'other.example.com/*'], /--route other\.example\.com\/\* must start with/],
    [['--site-url', 'https://news.example.com', '--domain', 'news.example.com', '--wait', 'soon'], /--wait soon/],
  ])('%j', (args, message) => {
    const r = deploy('--dry-run', ...args);
    expect(r.status, r.all).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).not.toContain('$ npx wrangler');
  });

  it('a later deploy without the token file (it would replace the deployed token) unless --rotate-token', () => {
    writeFileSync(join(dir, 'wrangler.toml'), withKvNamespaceId(TOML, KV_ID));
    const r = deploy('--dry-run', '--site-url', 'https://news.example.com', '--domain', 'news.example.com');
    expect(r.status, r.all).toBe(2);
    expect(r.stderr).toMatch(/no \.deploy\/secrets\.json here.*--rotate-token/);
    expect(existsSync(join(dir, '.deploy'))).toBe(false);
  });
});

describe('the KV namespace id in wrangler.toml', () => {
  it('is replaced in place, every other byte kept', () => {
    const out = withKvNamespaceId(TOML, KV_ID);
    expect(kvNamespaceId(out)).toBe(KV_ID);
    expect(withKvNamespaceId(out, PLACEHOLDER_KV_ID)).toBe(withKvNamespaceId(TOML, PLACEHOLDER_KV_ID));
    expect(out.split('\n').filter((l, i) => l !== TOML.split('\n')[i])).toEqual([`id = "${KV_ID}"`]);
  });

  it('is found by its binding, not by position', () => {
    const two = `name = "x"\n\n[[kv_namespaces]]\nbinding = "OTHER"\nid = "aaa"\n\n[[kv_namespaces]]\n# ours\nbinding = "FEEDS"\nid = "bbb"\n\n[vars]\nid = "ccc"\n`;
    expect(kvNamespaceId(two)).toBe('bbb');
    expect(withKvNamespaceId(two, 'ddd')).toBe(two.replace('"bbb"', '"ddd"'));
    expect(kvNamespaceId('[vars]\nid = "x"\n')).toBeNull();
    expect(() => withKvNamespaceId('[vars]\n', 'x')).toThrow(/binding = "FEEDS"/);
  });

  it('settings accept what a newcomer types', () => {
    expect(settingsProblem({ siteUrl: 'https://news.example.com', domain: 'news.example.com' })).toBeNull();
    expect(settingsProblem({ siteUrl: 'https://news.example.com/', route: 'news.example.com/*' })).toBeNull();
    expect(settingsProblem({ siteUrl: 'https://news.example.com', domain: 'news.example.com', hubUrl: 'http://hub.example' })).toMatch(
      /--hub-url/,
    );
  });
});

describe('npm run publish and npm run status after a deploy', () => {
  it('send the deployed token to the deployed site, and the .dev.vars one elsewhere', async () => {
    project();
    const seen: string[] = [];
    // Two servers on loopback: the "deployed site" (named in deploy.json) and another wirefeed.
    const servers = [0, 1].map(() =>
      createServer((req, res) => {
        seen.push(`${req.socket.localPort} ${req.headers.authorization ?? ''}`);
        res.writeHead(401, { 'Content-Type': 'application/problem+json' }).end('{"detail":"no"}');
      }),
    );
    const ports = await Promise.all(
      servers.map((s) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as { port: number }).port)))),
    );
    mkdirSync(join(dir, '.deploy'));
    writeFileSync(join(dir, '.deploy/secrets.json'), JSON.stringify({ API_TOKEN: TOKEN }));
    writeFileSync(join(dir, '.dev.vars'), 'API_TOKEN="local-dev-token"\n');
    // An http site only to reach this test's server; the deploy itself refuses anything but https.
    writeFileSync(join(dir, 'deploy.json'), JSON.stringify({ siteUrl: `http://127.0.0.1:${ports[0]}` }));
    const status = (url: string) =>
      new Promise<number | null>((resolve) => {
        const { API_TOKEN: _, ...env } = process.env;
        spawn(process.execPath, [join(ROOT, 'scripts/status.mjs'), '--url', url], { cwd: dir, env, stdio: 'ignore' }).on('close', resolve);
      });
    try {
      expect(await status(`http://127.0.0.1:${ports[0]}/`)).toBe(2);
      expect(await status(`http://127.0.0.1:${ports[1]}`)).toBe(2);
    } finally {
      for (const s of servers) s.close();
    }
    expect(seen).toEqual([`${ports[0]} Bearer ${TOKEN}`, `${ports[1]} Bearer local-dev-token`]);
  });
});
