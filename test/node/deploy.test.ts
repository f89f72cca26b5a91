// `npm run deploy`: its dry run (the plan it prints and the real `wrangler deploy --dry-run` with the
// values it would deploy), what it refuses, and the wrangler.toml edit that records the KV namespace.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  PLACEHOLDER_KV_ID,
  kvNamespaceId,
  readDeploySecrets,
  settingsProblem,
  withKvNamespaceId,
  writeDeployToken,
} from '../../scripts/deploy-state.mjs';
import { accountFor, sqlTokenProblem, tomlAccountId } from '../../scripts/deploy-audience.mjs';

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

/** Runs the deploy script here; `o.env` adds to its environment (no SQL token or account unless given), `o.input` is its stdin. */
function deploy(...args: (string | { env?: Record<string, string>; input?: string })[]) {
  const o = typeof args.at(-1) === 'object' ? (args.pop() as { env?: Record<string, string>; input?: string }) : {};
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts/deploy.mjs'), ...(args as string[])], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', API_TOKEN: '', AUDIENCE_SQL_TOKEN: '', CLOUDFLARE_ACCOUNT_ID: '', ...o.env },
    input: o.input ?? '',
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
      '$ npx wrangler deploy --var SITE_URL:https://news.example.com --var AUDIENCE_SINK:local --domain news.example.com --secrets-file .deploy/secrets.json',
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
      /\$ npx wrangler deploy --var SITE_URL:https:\/\/news\.example\.com --var AUDIENCE_SINK:local --domain news\.example\.com --secrets-file \/\S+\/secrets\.json --dry-run/,
    );
    // No SQL token: production keeps the local sink, and says so.
    expect(r.stdout).toContain('count with the local sink (AUDIENCE_SINK local)');
    expect(r.stderr).toMatch(/warning: no Analytics Engine SQL token .* production keeps the local sink/);
    expect(r.stdout).not.toContain('AUDIENCE_SQL_TOKEN (');
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
      "$ npx wrangler deploy --var SITE_URL:https://news.example.com --var AUDIENCE_SINK:local --route 'news.example.com/*' --secrets-file .deploy/secrets.json\n",
    );
    expect(r.stdout).not.toContain('sync content/');
    // wrangler read the namespace id and the kept secrets file (its bindings list them).
    expect(r.stdout).toContain(`env.FEEDS (${KV_ID})`);
    expect(r.stdout).toContain('--secrets-file .deploy/secrets.json --dry-run');
    expect(r.all).not.toContain(TOKEN);
  });
});

describe('npm run deploy -- --dry-run: the audience sink', () => {
  const ACCOUNT = 'abcdefabcdefabcdefabcdefabcdef01';
  const SQL = 'sqltok_5e2b9c1a_never-print-me';
  /** A later deploy's project: the namespace id, the kept API token (and `secrets`), deploy.json (and `settings`). */
  function later(secrets: Record<string, string> = {}, settings: Record<string, string> = {}) {
    project(withKvNamespaceId(TOML, KV_ID));
    mkdirSync(join(dir, '.deploy'));
    writeFileSync(join(dir, '.deploy/secrets.json'), JSON.stringify({ API_TOKEN: TOKEN, ...secrets }), { mode: 0o600 });
    writeFileSync(
      join(dir, 'deploy.json'),
      JSON.stringify({ siteUrl: 'https://news.example.com', route: 'news.example.com/*', ...settings }),
    );
  }
  const kept = () => readFileSync(join(dir, '.deploy/secrets.json'), 'utf8');

  it('a SQL token in the environment switches production to Analytics Engine: the account, the secret, never printed', () => {
    later();
    const before = kept();
    const r = deploy('--dry-run', '--no-sync', '--account-id', ACCOUNT, { env: { AUDIENCE_SQL_TOKEN: SQL } });
    expect(r.status, r.all).toBe(0);
    expect(r.stdout).toContain(`SQL API of the account ${ACCOUNT} (from --account-id)`);
    expect(r.stdout).toContain(
      `check the SQL token ($AUDIENCE_SQL_TOKEN) with one query to https://api.cloudflare.com/client/v4/accounts/${ACCOUNT}/analytics_engine/sql`,
    );
    expect(r.stdout).toContain('and keep it in .deploy/secrets.json (mode 0600) with the API token');
    expect(r.stdout).toContain(
      `$ npx wrangler deploy --var SITE_URL:https://news.example.com --var AUDIENCE_SINK:analytics-engine --var AUDIENCE_ACCOUNT_ID:${ACCOUNT} --route 'news.example.com/*' --secrets-file .deploy/secrets.json\n`,
    );
    // wrangler's own dry run got both secrets (a file of its own: the kept one is not written in a dry run).
    expect(r.stdout).toMatch(/--secrets-file \/\S+\/secrets\.json --dry-run/);
    expect(r.stdout).toMatch(/env\.AUDIENCE_SQL_TOKEN \("\(hidden\)"\)/);
    expect(r.stdout).toMatch(/env\.API_TOKEN \("\(hidden\)"\)/);
    expect(r.stderr).not.toContain('warning');
    expect(r.all).not.toContain(SQL);
    expect(r.all).not.toContain(TOKEN);
    expect(kept()).toBe(before);
    expect(readFileSync(join(dir, 'deploy.json'), 'utf8')).not.toContain(ACCOUNT);
  });

  it('--ask-sql-token reads it from stdin, never echoed; without an account id the plan names whoami', () => {
    later();
    const r = deploy('--dry-run', '--no-sync', '--ask-sql-token', { input: `${SQL}\n` });
    expect(r.status, r.all).toBe(0);
    expect(r.stdout).toContain('SQL API of the account that `wrangler whoami --json` lists (--account-id when it lists several)');
    expect(r.stdout).toContain('check the SQL token (as typed)');
    expect(r.stdout).toContain("--var 'AUDIENCE_ACCOUNT_ID:<the account wrangler deploys to>'");
    expect(r.stdout).toMatch(/env\.AUDIENCE_SQL_TOKEN \("\(hidden\)"\)/);
    expect(r.all).not.toContain(SQL);
    // Nothing given on stdin: refused, nothing run.
    const empty = deploy('--dry-run', '--no-sync', '--ask-sql-token');
    expect(empty.status, empty.all).toBe(2);
    expect(empty.stderr).toMatch(/--ask-sql-token: no token was given/);
    expect(empty.stdout).not.toContain('$ npx wrangler');
  });

  it('a SQL token kept in .deploy/secrets.json keeps production on Analytics Engine, with the account deploy.json keeps', () => {
    later({ AUDIENCE_SQL_TOKEN: SQL }, { accountId: ACCOUNT });
    const r = deploy('--dry-run', '--no-sync');
    expect(r.status, r.all).toBe(0);
    expect(r.stdout).toContain(`SQL API of the account ${ACCOUNT} (from deploy.json)`);
    expect(r.stdout).toContain('check the SQL token (kept in .deploy/secrets.json)');
    expect(r.stdout).not.toContain('and keep it in');
    expect(r.stdout).toContain('--secrets-file .deploy/secrets.json --dry-run');
    expect(r.stdout).toMatch(/env\.AUDIENCE_SQL_TOKEN \("\(hidden\)"\)/);
    expect(r.all).not.toContain(SQL);
    expect(r.all).not.toContain(TOKEN);
  });

  it('--audience-sink none counts nothing: no account, no SQL token sent, even one in the environment', () => {
    later();
    const r = deploy('--dry-run', '--no-sync', '--audience-sink', 'none', { env: { AUDIENCE_SQL_TOKEN: SQL } });
    expect(r.status, r.all).toBe(0);
    expect(r.stdout).toContain('count nothing (AUDIENCE_SINK none)');
    expect(r.stdout).toContain(
      "$ npx wrangler deploy --var SITE_URL:https://news.example.com --var AUDIENCE_SINK:none --route 'news.example.com/*' --secrets-file .deploy/secrets.json\n",
    );
    expect(r.stdout).not.toContain('--var AUDIENCE_ACCOUNT_ID');
    expect(r.stdout).not.toContain('env.AUDIENCE_SQL_TOKEN');
    expect(r.all).not.toContain(SQL);
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
    [
      ['--site-url', 'https://news.example.com', '--domain', 'news.example.com', '--audience-sink', 'sometimes'],
      /--audience-sink sometimes is not one of/,
    ],
    [
      ['--site-url', 'https://news.example.com', '--domain', 'news.example.com', '--account-id', 'acme'],
      /--account-id acme is not an account id/,
    ],
    [
      ['--site-url', 'https://news.example.com', '--domain', 'news.example.com', '--audience-sink', 'analytics-engine'],
      /analytics-engine needs the Analytics Engine SQL token.*Account Analytics: Read/,
    ],
  ])('%j', (args, message) => {
    const r = deploy('--dry-run', ...args);
    expect(r.status, r.all).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).not.toContain('$ npx wrangler');
  });

  it('--help names the audience flags', () => {
    const r = deploy('--help');
    expect(r.status, r.all).toBe(0);
    for (const flag of ['--audience-sink S', '--account-id ID', '--ask-sql-token']) expect(r.stdout).toContain(`  ${flag}`);
    expect(r.stdout).not.toContain('${');
  });

  it('a SQL token typed as an argument, not repeated', () => {
    const r = deploy(
      '--dry-run',
      '--site-url',
      'https://news.example.com',
      '--domain',
      'news.example.com',
      '--ask-sql-token',
      'sqltok_typed_by_mistake',
    );
    expect(r.status, r.all).toBe(2);
    expect(r.stderr).toMatch(/an argument that is not a flag was given \(not shown/);
    expect(r.all).not.toContain('sqltok_typed_by_mistake');
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

describe('the audience deploy steps', () => {
  it('finds the account: flag, deploy.json, environment, wrangler.toml, else the one account whoami lists', () => {
    const one = JSON.stringify({ loggedIn: true, accounts: [{ id: 'a1', name: 'Newsroom' }] });
    const two = JSON.stringify({
      loggedIn: true,
      accounts: [
        { id: 'a1', name: 'Newsroom' },
        { id: 'b2', name: 'Other' },
      ],
    });
    expect(accountFor({ flag: 'f', kept: 'k', env: 'e', toml: 't' })).toEqual({ id: 'f', from: '--account-id' });
    expect(accountFor({ kept: 'k', env: 'e' })).toEqual({ id: 'k', from: 'deploy.json' });
    expect(accountFor({ env: 'e', toml: 't' })).toEqual({ id: 'e', from: 'CLOUDFLARE_ACCOUNT_ID' });
    expect(accountFor({ toml: tomlAccountId(`name = "x"\naccount_id = "t9"\n[vars]\naccount_id = "no"\n`) })).toEqual({
      id: 't9',
      from: 'wrangler.toml account_id',
    });
    expect(tomlAccountId(TOML)).toBeUndefined();
    expect(accountFor({})).toBeNull();
    expect(accountFor({ whoami: `\n${one}\n` })).toMatchObject({ id: 'a1' });
    expect(accountFor({ whoami: two })).toEqual({
      problem: expect.stringMatching(/2 accounts \(a1 \(Newsroom\), b2 \(Other\)\).*--account-id/),
    });
    expect(accountFor({ whoami: 'not json' })).toEqual({ problem: expect.stringMatching(/--account-id/) });
  });

  it('checks the SQL token with one query, and says what the API answered without the token', async () => {
    const SQL = 'sqltok_checked_7f3e';
    const seen: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        seen.push(`${req.method} ${req.headers.authorization} ${body}`);
        const ok = req.headers.authorization === 'Bearer good';
        res.writeHead(ok ? 200 : 403).end(ok ? '{"data":[]}' : `{"errors":[{"message":"token ${SQL} lacks permission"}]}`);
      });
    });
    const port = await new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as { port: number }).port)));
    try {
      const url = `http://127.0.0.1:${port}/sql`;
      expect(await sqlTokenProblem('acc', 'good', url)).toBeNull();
      const refused = await sqlTokenProblem('acc', SQL, url);
      expect(refused).toMatch(
        /account acc refused the SQL token \(HTTP 403: .*lacks permission.*\); it needs "Account \| Account Analytics \| Read"/,
      );
      expect(refused).not.toContain(SQL);
      expect(await sqlTokenProblem('acc', 'good', 'http://127.0.0.1:1/sql')).toMatch(/could not be reached/);
    } finally {
      server.close();
    }
    expect(seen).toEqual(["POST Bearer good SELECT 'wirefeed' AS deploy_check", `POST Bearer ${SQL} SELECT 'wirefeed' AS deploy_check`]);
  });

  it('the secrets file keeps the SQL token when the API token is rotated', async () => {
    project();
    const file = join(dir, 'secrets.json');
    writeFileSync(file, JSON.stringify({ API_TOKEN: 'old', AUDIENCE_SQL_TOKEN: 'sql' }));
    await writeDeployToken('new', file);
    expect(await readDeploySecrets(file)).toEqual({ API_TOKEN: 'new', AUDIENCE_SQL_TOKEN: 'sql' });
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
