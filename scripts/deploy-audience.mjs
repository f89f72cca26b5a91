// The audience part of `npm run deploy`: which sink production counts into, the account whose Analytics
// Engine the rollup reads, and the SQL token it reads with (asked without echo, checked, never printed).

/** The Analytics Engine SQL token's name: the Worker's secret, the environment variable, the key in the secrets file. */
export const SQL_TOKEN = 'AUDIENCE_SQL_TOKEN';
/** What AUDIENCE_SINK may be set to in production. */
export const SINKS = ['analytics-engine', 'local', 'none'];
// As src/audience/analytics-sql.ts reads it (the scripts run in Node and do not import the Worker's TypeScript).
const sqlEndpoint = (/** @type {string} */ account) => `https://api.cloudflare.com/client/v4/accounts/${account}/analytics_engine/sql`;

export const AUDIENCE_USAGE = `  --audience-sink S  where production counts: analytics-engine (the default once a SQL token is given),
                     local (the AudienceStore Durable Object; the default without one) or none (no counting)
  --account-id ID    the account whose Analytics Engine the rollup reads (default: the one wrangler deploys to)
  --ask-sql-token    ask for the Analytics Engine SQL token ("Account Analytics: Read"), typed without echo
                     (or one line on stdin); or set ${SQL_TOKEN} in the environment. Kept in .deploy/secrets.json`;

/** Why `--audience-sink`/`--account-id` cannot be used, or null. @param {{ sink?: string, accountId?: string }} o */
export function audienceFlagProblem(o) {
  if (o.sink !== undefined && !SINKS.includes(o.sink)) return `--audience-sink ${o.sink} is not one of ${SINKS.join(', ')}`;
  if (o.accountId !== undefined && !/^[0-9a-f]{32}$/.test(o.accountId))
    return `--account-id ${o.accountId} is not an account id (32 hex digits, as \`npx wrangler whoami\` lists them)`;
  return null;
}

/**
 * Which sink production counts into, and what to say about it.
 * @param {{ flag?: string, kept?: string, token?: string }} o the flag, what deploy.json keeps, the SQL token if any
 * @returns {{ sink: string, problem?: string, warning?: string }}
 */
export function audienceSink(o) {
  const sink = o.flag ?? o.kept ?? (o.token ? 'analytics-engine' : 'local');
  if (sink === 'analytics-engine' && !o.token)
    return {
      sink,
      problem: `AUDIENCE_SINK analytics-engine needs the Analytics Engine SQL token, or the rollup cannot read the counts back: create one with "Account Analytics: Read" in the dashboard (README, Deploy), then give it with --ask-sql-token or ${SQL_TOKEN} in the environment; or --audience-sink local|none`,
    };
  if (sink === 'local' && !o.flag && !o.kept)
    return {
      sink,
      warning:
        `no Analytics Engine SQL token (--ask-sql-token or ${SQL_TOKEN}): production keeps the local sink, which the stats read ` +
        `back as they are, at one write to the AudienceStore Durable Object per counted request (npm run bench measures it). ` +
        `Analytics Engine without the token would count where the rollup cannot read, and /api/stats would show nothing. ` +
        `To count into Analytics Engine, create the token (README, Deploy) and deploy again with it; --audience-sink none counts nothing.`,
    };
  return { sink };
}

/**
 * What the deploy does about counting, from its flags, deploy.json, the secrets file and the
 * environment: the sink, the SQL token (given now, as typed without echo or from the environment,
 * else kept), whether to write it into the secrets file, and the account when it is known before a login.
 * @param {{ sinkFlag?: string, accountFlag?: string, ask: boolean, saved: import('./deploy-state.mjs').Settings, kept: import('./deploy-state.mjs').Secrets, toml: string }} o
 */
export async function planAudience(o) {
  const given = o.ask
    ? await askSecret(`${SQL_TOKEN} (Account Analytics: Read; not shown as you type): `)
    : process.env[SQL_TOKEN] || undefined;
  if (o.ask && !given) return { problem: '--ask-sql-token: no token was given (stdin was empty)' };
  const token = given ?? o.kept.AUDIENCE_SQL_TOKEN;
  const { sink, problem, warning } = audienceSink({ flag: o.sinkFlag, kept: o.saved.audienceSink, token });
  const analytics = sink === 'analytics-engine';
  return {
    sink,
    problem,
    warning,
    analytics,
    token,
    /** The token to keep in the secrets file (and send): only one given now, only for Analytics Engine. */
    write: analytics && given && given !== o.kept.AUDIENCE_SQL_TOKEN ? given : undefined,
    from: given ? (o.ask ? 'as typed' : `$${SQL_TOKEN}`) : 'kept in .deploy/secrets.json',
    /** @type {ReturnType<typeof accountFor>} */
    account: analytics
      ? accountFor({ flag: o.accountFlag, kept: o.saved.accountId, env: process.env.CLOUDFLARE_ACCOUNT_ID, toml: tomlAccountId(o.toml) })
      : null,
  };
}

/** @typedef {Awaited<ReturnType<typeof planAudience>>} AudiencePlan */

/** The account id to deploy with, or what stands for it until `wrangler whoami` names it. @param {AudiencePlan} a */
export const accountText = (a) => (a.account && 'id' in a.account ? a.account.id : '<the account wrangler deploys to>');

/** The deploy's audience step in words: where production counts and how the rollup reads it. @param {AudiencePlan} a */
export function audienceStep(a) {
  if (a.sink === 'none')
    return 'count nothing (AUDIENCE_SINK none): the gateway makes no data point; /api/stats keeps what was counted before';
  if (a.sink === 'local')
    return 'count with the local sink (AUDIENCE_SINK local): one write to the AudienceStore Durable Object per counted request, rolled up by the cron';
  const where =
    a.account && 'id' in a.account
      ? `${a.account.id} (from ${a.account.from})`
      : 'that `wrangler whoami --json` lists (--account-id when it lists several)';
  return (
    `count into Analytics Engine (AUDIENCE_SINK analytics-engine, dataset wirefeed_audience), read back by the rollup through the SQL API of the account ${where};\n` +
    `   check the SQL token (${a.from}) with one query to ${sqlEndpoint(accountText(a))}` +
    (a.write ? `\n   and keep it in .deploy/secrets.json (mode 0600) with the API token` : '')
  );
}

/** The account_id at the top of wrangler.toml (before its first table), if any. @param {string} toml */
export const tomlAccountId = (toml) => /^account_id\s*=\s*"([^"]+)"/m.exec(toml.split(/^\[/m)[0] ?? '')?.[1];

/**
 * The account whose Analytics Engine the rollup reads: the flag, deploy.json, $CLOUDFLARE_ACCOUNT_ID or
 * wrangler.toml's account_id (wrangler deploys there too), else the one account `wrangler whoami --json`
 * lists. `whoami` is its output, or undefined in a dry run.
 * @param {{ flag?: string, kept?: string, env?: string, toml?: string, whoami?: string }} o
 * @returns {{ id: string, from: string } | { problem: string } | null} null: not known before whoami
 */
export function accountFor(o) {
  for (const [id, from] of [
    [o.flag, '--account-id'],
    [o.kept, 'deploy.json'],
    [o.env, 'CLOUDFLARE_ACCOUNT_ID'],
    [o.toml, 'wrangler.toml account_id'],
  ])
    if (id) return { id, from };
  if (o.whoami === undefined) return null;
  let accounts = [];
  try {
    const text = o.whoami.slice(o.whoami.indexOf('{'), o.whoami.lastIndexOf('}') + 1);
    accounts = JSON.parse(text).accounts ?? [];
  } catch {
    return { problem: '`wrangler whoami --json` did not print JSON; give the account with --account-id' };
  }
  if (accounts.length === 1) return { id: accounts[0].id, from: '`wrangler whoami`, the one account this login has' };
  const list = accounts.map((/** @type {{ id: string, name: string }} */ a) => `${a.id} (${a.name})`).join(', ');
  return { problem: `this login has ${accounts.length} accounts (${list || 'none'}): say which with --account-id` };
}

/**
 * Asks for a secret without echoing it: on a terminal with echo off, else the first line of stdin.
 * @param {string} prompt @returns {Promise<string>}
 */
export function askSecret(prompt) {
  const input = process.stdin;
  return new Promise((resolve, reject) => {
    let text = '';
    const done = () => {
      input.off('data', take);
      input.off('end', done);
      if (input.isTTY) {
        input.setRawMode(false);
        process.stderr.write('\n');
      }
      input.pause();
      resolve(text.trim());
    };
    const take = (/** @type {Buffer} */ chunk) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\u0003') return reject(new Error('interrupted'));
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else text += ch;
      }
    };
    if (input.isTTY) {
      process.stderr.write(prompt);
      input.setRawMode(true);
    }
    input.on('data', take);
    input.on('end', done);
    input.resume();
  });
}

/**
 * Checks the SQL token on the account with one query, as Cloudflare's SQL API documentation tests one.
 * Returns null when it can read, else what the API answered (never the token).
 * @param {string} account @param {string} token @param {string} [endpoint]
 */
export async function sqlTokenProblem(account, token, endpoint = sqlEndpoint(account)) {
  let res;
  try {
    res = await fetch(endpoint, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      body: "SELECT 'wirefeed' AS deploy_check",
      signal: AbortSignal.timeout(20_000),
    });
  } catch (err) {
    return `the Analytics Engine SQL API could not be reached (${err instanceof Error ? err.message : String(err)})`;
  }
  if (res.ok) return null;
  const said = (await res.text().catch(() => '')).split(token).join('«redacted»').replace(/\s+/g, ' ').slice(0, 200);
  return `the Analytics Engine SQL API of account ${account} refused the SQL token (HTTP ${res.status}${said ? `: ${said}` : ''}); it needs "Account | Account Analytics | Read" on that account`;
}
