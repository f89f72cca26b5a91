#!/usr/bin/env node
// `npm run deploy`: the first deploy and every later one — KV namespace, API token, the audience sink,
// wrangler deploy, /healthz, then content/ synced. `--dry-run` prints each step and runs only
// `wrangler deploy --dry-run`.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  AUDIENCE_USAGE,
  SQL_TOKEN,
  accountFor,
  accountText,
  audienceFlagProblem,
  audienceStep,
  planAudience,
  sqlTokenProblem,
} from './deploy-audience.mjs';
import {
  PLACEHOLDER_KV_ID,
  SETTINGS_FILE,
  TOKEN_FILE,
  kvNamespaceId,
  newToken,
  readDeploySecrets,
  readSettings,
  settingsProblem,
  withKvNamespaceId,
  workerName,
  writeDeploySecrets,
  writeDeployToken,
  writeSettings,
} from './deploy-state.mjs';
import { sync } from './sync.mjs';

const USAGE = `Usage: npm run deploy -- [options]
  --site-url URL   the public https origin, e.g. https://news.example.com (SITE_URL)
  --domain HOST    serve it on this custom domain (Cloudflare makes the DNS record and certificate)
  --route PATTERN  or on this route of a zone you already proxy, e.g. 'news.example.com/*'
  --hub-url URL    a WebSub hub to announce and ping (HUB_URL; default none)
  --rotate-token   make a new API token (the old one stops working)
  --wait SECONDS   how long to wait for /healthz after the deploy (default 300)
  --no-sync        deploy only; do not sync content/
  --dry-run        print every step, run only \`wrangler deploy --dry-run\`; nothing is created or written
${AUDIENCE_USAGE}
The first deploy needs --site-url and --domain or --route; they are kept in ${SETTINGS_FILE} for later deploys.`;

/** Exits 2 (a usage problem) with `message` and the usage. @param {string} message @returns {never} */
function refuse(message) {
  console.error(`deploy: ${message}\n\n${USAGE}`);
  process.exit(2);
}

/** Exits 1 (a step failed). @param {string} message @returns {never} */
function fail(message) {
  console.error(`deploy: ${message}`);
  process.exit(1);
}

let values;
try {
  ({ values } = parseArgs({
    allowNegative: true,
    options: {
      'site-url': { type: 'string' },
      domain: { type: 'string' },
      route: { type: 'string' },
      'hub-url': { type: 'string' },
      'rotate-token': { type: 'boolean', default: false },
      wait: { type: 'string', default: '300' },
      sync: { type: 'boolean', default: true },
      'dry-run': { type: 'boolean', default: false },
      'audience-sink': { type: 'string' },
      'account-id': { type: 'string' },
      'ask-sql-token': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (err) {
  // A stray argument is not repeated: it may be a secret typed after a flag that takes none.
  if (err instanceof Error && 'code' in err && err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL')
    refuse(`an argument that is not a flag was given (not shown, in case it is a secret; a SQL token is asked for by --ask-sql-token)`);
  refuse(err instanceof Error ? err.message : String(err));
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const dryRun = values['dry-run'];
const waitSeconds = Number(values.wait);
if (!Number.isFinite(waitSeconds) || waitSeconds <= 0) refuse(`--wait ${values.wait} is not a number of seconds`);

// Flags replace what deploy.json remembers; a new --domain or --route replaces the old one of either kind.
const saved = await readSettings().catch((err) => refuse(`${SETTINGS_FILE} cannot be read: ${err.message}`));
const placeFromFlags = values.domain !== undefined || values.route !== undefined;
/** @type {import('./deploy-state.mjs').Settings} */
const settings = {
  siteUrl: values['site-url'] ?? saved.siteUrl,
  domain: placeFromFlags ? values.domain : saved.domain,
  route: placeFromFlags ? values.route : saved.route,
  hubUrl: values['hub-url'] ?? saved.hubUrl,
  audienceSink: values['audience-sink'] ?? saved.audienceSink,
  accountId: values['account-id'] ?? saved.accountId,
};
const problem = settingsProblem(settings) ?? audienceFlagProblem({ sink: values['audience-sink'], accountId: values['account-id'] });
if (problem) refuse(problem);
const siteUrl = new URL(/** @type {string} */ (settings.siteUrl)).origin;

const toml = await readFile('wrangler.toml', 'utf8');
const kvId = kvNamespaceId(toml);
if (kvId === null) fail('wrangler.toml has no [[kv_namespaces]] entry with binding = "FEEDS"');
const firstDeploy = kvId === PLACEHOLDER_KV_ID;
const kept = await readDeploySecrets().catch((err) => fail(`${TOKEN_FILE} cannot be read: ${err.message}`));
const existingToken = kept.API_TOKEN;
const makeToken = !existingToken || values['rotate-token'];
// Without the token file a later deploy would replace the deployed token with one nobody has asked for.
if (!existingToken && !firstDeploy && !values['rotate-token'])
  refuse(
    `no ${TOKEN_FILE} here, and wrangler.toml already names a KV namespace (this Worker was deployed before): copy ${TOKEN_FILE} from the machine that deployed it, or pass --rotate-token to make a new one`,
  );

// Where production counts, the SQL token (given now, without echo, or kept) and the account it reads.
const audience = await planAudience({
  sinkFlag: values['audience-sink'],
  accountFlag: values['account-id'],
  ask: values['ask-sql-token'],
  saved,
  kept,
  toml,
}).catch(() => refuse('no SQL token was given'));
if (audience.problem) refuse(audience.problem);

/** Everything `wrangler deploy` takes beyond wrangler.toml; flags as wrangler 4.164's deploy defines them. */
const deployArgs = (/** @type {string} */ secretsFile) => [
  'deploy',
  // --var NAME:VALUE becomes a plain-text var (`collectKeyValues`); vars not given keep wrangler.toml's.
  '--var',
  `SITE_URL:${siteUrl}`,
  ...(settings.hubUrl ? ['--var', `HUB_URL:${settings.hubUrl}`] : []),
  '--var',
  `AUDIENCE_SINK:${audience.sink}`,
  ...(audience.analytics ? ['--var', `AUDIENCE_ACCOUNT_ID:${accountText(audience)}`] : []),
  // --domain adds {pattern, custom_domain: true}; --route a plain route pattern (`resolveRoutes`).
  ...(settings.domain ? ['--domain', settings.domain] : ['--route', /** @type {string} */ (settings.route)]),
  // wrangler refuses a Worker's first deploy while a [secrets] required name is unset and tells to pass
  // it this way (`addRequiredSecretsInheritBindings`); later deploys send the same token again.
  '--secrets-file',
  secretsFile,
];

const secretsToHide = new Set([existingToken, audience.token].filter((t) => t !== undefined));
/** Output with every token replaced, so no log or terminal ever shows one. @param {string} text */
const redact = (text) => [...secretsToHide].reduce((t, s) => t.split(s).join('«redacted»'), text);
const show = (/** @type {string[]} */ args) => `$ npx wrangler ${args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a}'`)).join(' ')}`;

/**
 * Runs wrangler. `capture` collects its output (printed redacted as it comes); otherwise it has the
 * terminal, so it can ask (a custom domain that replaces a DNS record, for one).
 * @param {string[]} args @param {{ capture?: boolean }} [o]
 * @returns {Promise<{ code: number, out: string }>}
 */
function wrangler(args, o = {}) {
  console.log(show(args));
  return new Promise((resolve) => {
    const child = spawn('npx', ['wrangler', ...args], {
      stdio: o.capture ? ['ignore', 'pipe', 'pipe'] : 'inherit',
      // The account the rollup reads is the one the Worker is deployed to.
      env: {
        ...process.env,
        WRANGLER_SEND_METRICS: 'false',
        ...(audience.account && 'id' in audience.account ? { CLOUDFLARE_ACCOUNT_ID: audience.account.id } : {}),
      },
    });
    let out = '';
    let printed = 0;
    // Whole lines only, indented under the command, so a token split across two chunks is still caught.
    const take = (/** @type {Buffer} */ d) => {
      out += d;
      const end = out.lastIndexOf('\n') + 1;
      if (end > printed) process.stdout.write(redact(out.slice(printed, end)).replace(/^(?=.)/gm, '    '));
      printed = Math.max(printed, end);
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    child.on('close', (code) => {
      if (out.length > printed) process.stdout.write(`${redact(out.slice(printed)).replace(/^(?=.)/gm, '    ')}\n`);
      resolve({ code: code ?? 1, out });
    });
  });
}

const name = workerName(toml);
const kvTitle = `${name}-feeds`;
const place = settings.domain ? `custom domain ${settings.domain}` : `route ${settings.route}`;
console.log(`wirefeed deploy${dryRun ? ' (dry run: each step is printed; only `wrangler deploy --dry-run` runs)' : ''}`);
console.log(`  Worker ${name} at ${siteUrl} (${place})${settings.hubUrl ? `, hub ${settings.hubUrl}` : ''}\n`);
if (audience.warning) console.warn(`warning: ${audience.warning}\n`);
if (dryRun) {
  let step = 0;
  const say = (/** @type {string} */ line) => console.log(`${++step}. ${line}`);
  say(`check the Cloudflare login:\n   ${show(['whoami', '--json'])}`);
  say(audienceStep(audience));
  if (firstDeploy)
    say(
      `create the KV namespace (wrangler.toml has the placeholder id):\n   ${show(['kv', 'namespace', 'create', kvTitle, '--binding', 'FEEDS'])}\n   and write the id it prints into wrangler.toml ([[kv_namespaces]] FEEDS)`,
    );
  else say(`KV namespace: ${kvId} (from wrangler.toml)`);
  if (makeToken) say(`generate a new API token (32 random bytes) into ${TOKEN_FILE} (mode 0600)`);
  else say(`API token: reuse ${TOKEN_FILE}`);
  say(`deploy:\n   ${show(deployArgs(TOKEN_FILE))}`);
  say(`remember the settings in ${SETTINGS_FILE}`);
  say(`wait up to ${waitSeconds} s for ${siteUrl}/healthz to answer 200`);
  if (values.sync) say(`sync content/ to ${siteUrl} (as \`npm run publish -- --url ${siteUrl}\`)`);
  // The real dry run gets the values it would deploy: a throwaway token unless this machine has one.
  const tmp = await mkdtemp(join(tmpdir(), 'wirefeed-deploy-'));
  try {
    let file = TOKEN_FILE;
    if (!existingToken || audience.write) {
      const t = existingToken ?? newToken();
      secretsToHide.add(t);
      file = join(tmp, 'secrets.json');
      await writeFile(file, `${JSON.stringify({ API_TOKEN: t, ...(audience.write ? { [SQL_TOKEN]: audience.write } : {}) })}\n`, {
        mode: 0o600,
      });
    }
    console.log(
      `\nChecking the deploy with wrangler (no account needed)${existingToken ? '' : ', a throwaway token in its secrets file'}${audience.write ? ', the SQL token beside it' : ''}:`,
    );
    const r = await wrangler([...deployArgs(file), '--dry-run'], { capture: true });
    if (r.code !== 0) fail(`wrangler deploy --dry-run failed (exit ${r.code}); nothing was deployed`);
    const size = /Total Upload: ([^\n]+)/.exec(r.out)?.[1]?.trim() ?? 'size not reported';
    console.log(`\nDry run OK: the bundle builds and wrangler accepts the deploy (${size}); nothing was created, written or deployed.`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  process.exit(0);
}

// The real deploy. Each step says what it does; a failure stops here with what to do next.
const who = await wrangler(['whoami', '--json'], { capture: true });
// `whoami --json` exits non-zero when not logged in (wrangler 4.164's whoami command).
if (who.code !== 0) fail('not logged in to Cloudflare: run `npx wrangler login` (or set CLOUDFLARE_API_TOKEN), then deploy again');

// Before anything is created: the account the rollup reads, and a SQL token that can read it.
if (audience.analytics) {
  audience.account ??= accountFor({ whoami: who.out });
  if (!audience.account || 'problem' in audience.account) refuse(audience.account?.problem ?? 'no account');
  settings.accountId = audience.account.id;
  const refused = await sqlTokenProblem(audience.account.id, /** @type {string} */ (audience.token));
  if (refused) fail(`${refused}. Nothing was created or deployed; make the token as README, Deploy says, then deploy again.`);
  if (audience.write) await writeDeploySecrets({ [SQL_TOKEN]: audience.write });
}
console.log(`Audience: ${audienceStep(audience).replace(/\n {3}/g, ' ')}`);

let kvNow = /** @type {string} */ (kvId);
if (firstDeploy) {
  const made = await wrangler(['kv', 'namespace', 'create', kvTitle, '--binding', 'FEEDS'], { capture: true });
  // It prints the config snippet `id = "<32 hex>"` (createdResourceConfig); a TOML config is not patched.
  let id = /\bid = "([0-9a-f]{32})"/.exec(made.out)?.[1];
  if (!id && /already exists/.test(made.out)) {
    // A run that stopped after creating it: find it by title (`kv namespace list` prints JSON only).
    const list = await wrangler(['kv', 'namespace', 'list'], { capture: true });
    try {
      id = JSON.parse(list.out).find((/** @type {{ title: string }} */ n) => n.title === kvTitle)?.id;
    } catch {
      // not JSON: reported below
    }
  }
  if (!id) fail(`could not create or find the KV namespace "${kvTitle}" (see wrangler's output above)`);
  await writeFile('wrangler.toml', withKvNamespaceId(await readFile('wrangler.toml', 'utf8'), id));
  kvNow = id;
  console.log(`KV namespace ${kvTitle}: ${id}, written into wrangler.toml (commit it: later deploys and \`wrangler kv\` read it there)`);
}

let token = existingToken;
if (makeToken) {
  token = newToken();
  await writeDeployToken(token);
  console.log(
    `API token: a new one in ${TOKEN_FILE} (mode 0600, git-ignored)${values['rotate-token'] && existingToken ? '; the old one stops working with this deploy' : ''}`,
  );
} else console.log(`API token: ${TOKEN_FILE} (unchanged)`);
secretsToHide.add(/** @type {string} */ (token));

const deployed = await wrangler(deployArgs(TOKEN_FILE));
if (deployed.code !== 0)
  fail(
    `wrangler deploy failed (exit ${deployed.code}); KV namespace ${kvNow} and ${TOKEN_FILE} are kept, so run \`npm run deploy\` again once fixed`,
  );
await writeSettings(settings);
console.log(`Settings kept in ${SETTINGS_FILE}: a later \`npm run deploy\` needs no flags.`);

// A new custom domain needs its DNS record and certificate before it answers: wait, with a clear end.
const health = `${siteUrl}/healthz`;
console.log(`Waiting for ${health} (up to ${waitSeconds} s)…`);
const deadline = Date.now() + waitSeconds * 1000;
let last = 'no answer yet';
for (;;) {
  try {
    const r = await fetch(health, { signal: AbortSignal.timeout(10_000) });
    if (r.status === 200) break;
    last = `HTTP ${r.status}`;
  } catch (err) {
    last = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
  }
  if (Date.now() > deadline)
    fail(
      `${health} did not answer 200 within ${waitSeconds} s (last: ${last}). The Worker is deployed; a new custom domain can take minutes for its certificate. Check it in the dashboard, then \`npm run publish -- --url ${siteUrl}\`.`,
    );
  await new Promise((r) => setTimeout(r, 3000));
}
console.log(`${health}: 200`);

if (values.sync) {
  console.log(`Syncing content/ to ${siteUrl}`);
  const { failed } = await sync({ url: siteUrl, dir: 'content', token: /** @type {string} */ (token) }).catch((err) =>
    fail(`the sync failed: ${err instanceof Error ? err.message : String(err)}`),
  );
  if (failed.length) fail(`${failed.length} file(s) refused (named above); the rest are published`);
}
console.log(
  `\nDeployed: ${siteUrl}/  (\`npm run status -- --url ${siteUrl}\`; \`npm run publish -- --url ${siteUrl}\` after editing content/)`,
);
