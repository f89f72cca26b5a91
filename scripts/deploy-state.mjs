// What `npm run deploy` keeps between deploys: the site's settings (deploy.json), the production secrets
// (.deploy/secrets.json, git-ignored: the API token and the Analytics Engine SQL token) and the KV
// namespace id (in wrangler.toml), and the checks on the site URL, custom domain and route it is given.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { dirname } from 'node:path';
import { readToken } from './dev-vars.mjs';

/** The site's deploy settings; not secret, so a newsroom commits it with its wrangler.toml. */
export const SETTINGS_FILE = 'deploy.json';
/** The production secrets as `wrangler deploy --secrets-file` reads them; git-ignored, mode 0600. */
export const TOKEN_FILE = '.deploy/secrets.json';
/** The id wrangler.toml ships with: no namespace has it, so the first deploy creates one. */
export const PLACEHOLDER_KV_ID = '0'.repeat(32);

/**
 * `audienceSink` only when a deploy was told one (`--audience-sink`); `accountId` once a deploy found it.
 * @typedef {{ siteUrl?: string, domain?: string, route?: string, hubUrl?: string, audienceSink?: string, accountId?: string }} Settings
 */
/** @typedef {{ API_TOKEN?: string, AUDIENCE_SQL_TOKEN?: string }} Secrets */

/** @returns {Promise<Settings>} deploy.json, or {} before the first deploy */
export async function readSettings(file = SETTINGS_FILE) {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text ? JSON.parse(text) : {};
}

/** Writes deploy.json (only the keys that are set). @param {Settings} s */
export async function writeSettings(s, file = SETTINGS_FILE) {
  const clean = Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined));
  await writeFile(file, `${JSON.stringify(clean, null, 2)}\n`);
}

/** @returns {Promise<Secrets>} the deployed secrets this machine has (non-empty strings only) */
export async function readDeploySecrets(file = TOKEN_FILE) {
  const text = await readFile(file, 'utf8').catch(() => '');
  if (!text) return {};
  const all = JSON.parse(text);
  /** @type {Secrets} */
  const out = {};
  for (const k of /** @type {const} */ (['API_TOKEN', 'AUDIENCE_SQL_TOKEN'])) if (typeof all[k] === 'string' && all[k]) out[k] = all[k];
  return out;
}

/** @returns {Promise<string | undefined>} the deployed API token, if this machine has it */
export async function readDeployToken(file = TOKEN_FILE) {
  return (await readDeploySecrets(file)).API_TOKEN;
}

/** A new token: 32 random bytes, base64url (43 characters). */
export const newToken = () => randomBytes(32).toString('base64url');

/**
 * Writes `secrets` into the secrets file over what it holds, readable by its owner only. JSON, not
 * dotenv: wrangler expands `$VAR` in a dotenv secrets file and lets the process environment override
 * its values (wrangler 4.164 `parseAndExpandDotEnv`), so an API_TOKEN exported in the shell would be
 * deployed instead; JSON is parsed first and taken as written (`parseBulkInputToObject`).
 * @param {Secrets} secrets
 */
export async function writeDeploySecrets(secrets, file = TOKEN_FILE) {
  const all = { ...(await readDeploySecrets(file)), ...secrets };
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${JSON.stringify(all)}\n`, { mode: 0o600 });
  await chmod(file, 0o600); // mode applies only when the file is created
}

/** Writes the API token into the secrets file (its other secrets kept). @param {string} token */
export const writeDeployToken = (token, file = TOKEN_FILE) => writeDeploySecrets({ API_TOKEN: token }, file);

/**
 * The token for the wirefeed at `url`: the deployed one when `url` is deploy.json's site, else the
 * local one in .dev.vars. Used by `npm run publish` and `npm run status` when no token is given.
 * @param {string} url
 */
export async function tokenFor(url) {
  const { siteUrl } = await readSettings().catch(() => /** @type {Settings} */ ({}));
  const origin = (/** @type {string} */ u) => {
    try {
      return new URL(u).origin;
    } catch {
      return '';
    }
  };
  if (siteUrl && origin(siteUrl) === origin(url)) return readDeployToken();
  return readToken();
}

/** The `[[kv_namespaces]]` entry bound as `binding`: its id and where that id sits in the text. */
function kvEntry(/** @type {string} */ toml, /** @type {string} */ binding) {
  const tables = toml.split(/^(?=\[)/m);
  let at = 0;
  for (const t of tables) {
    if (/^\[\[kv_namespaces\]\]/.test(t) && new RegExp(`^binding\\s*=\\s*"${binding}"`, 'm').test(t)) {
      const m = /^(id\s*=\s*")([^"]*)"/m.exec(t);
      if (m) return { id: /** @type {string} */ (m[2]), start: at + m.index + /** @type {string} */ (m[1]).length };
    }
    at += t.length;
  }
  return null;
}

/** @returns {string | null} the KV namespace id wrangler.toml gives `binding`, or null if none */
export function kvNamespaceId(/** @type {string} */ toml, binding = 'FEEDS') {
  return kvEntry(toml, binding)?.id ?? null;
}

/** wrangler.toml with `binding`'s namespace id replaced (the rest of the text, comments included, kept). */
export function withKvNamespaceId(/** @type {string} */ toml, /** @type {string} */ id, binding = 'FEEDS') {
  const e = kvEntry(toml, binding);
  if (!e) throw new Error(`wrangler.toml has no [[kv_namespaces]] entry with binding = "${binding}"`);
  return toml.slice(0, e.start) + id + toml.slice(e.start + e.id.length);
}

/** The Worker's name in wrangler.toml. */
export const workerName = (/** @type {string} */ toml) => /^name\s*=\s*"([^"]+)"/m.exec(toml)?.[1] ?? 'wirefeed';

const LOOPBACK = /^(localhost|.*\.localhost)$/i;

/**
 * Checks the deploy's public address and where it is served. Returns the first problem as a
 * sentence naming its flag, or null.
 * @param {Settings} s
 */
export function settingsProblem(s) {
  if (!s.siteUrl)
    return '--site-url is required on the first deploy: the https address readers will use, e.g. --site-url https://news.example.com';
  let u;
  try {
    u = new URL(s.siteUrl);
  } catch {
    return `--site-url ${s.siteUrl} is not a URL; give the https address readers will use, e.g. https://news.example.com`;
  }
  if (u.protocol !== 'https:') return `--site-url must be https:// (${s.siteUrl}): every feed, page and oEmbed answer carries this address`;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (LOOPBACK.test(host) || isIP(host))
    return `--site-url must name a public hostname, not ${u.hostname}: a custom domain or route needs a hostname on Cloudflare`;
  if (u.port || u.pathname !== '/' || u.search || u.hash || u.username)
    return `--site-url must be an origin such as https://${host} (no port, path or query): the Worker serves its paths from /`;
  if (s.domain && s.route) return 'give --domain or --route, not both';
  if (!s.domain && !s.route)
    return `--domain or --route is required on the first deploy: --domain ${host} (a custom domain, Cloudflare makes its DNS record and certificate) or --route '${host}/*' (on a zone you already proxy)`;
  if (s.domain && s.domain !== host) return `--domain ${s.domain} must be the host of --site-url (${host})`;
  if (s.route && !s.route.startsWith(`${host}/`)) return `--route ${s.route} must start with the host of --site-url: '${host}/*'`;
  if (s.hubUrl) {
    try {
      if (new URL(s.hubUrl).protocol !== 'https:') return `--hub-url must be https:// (${s.hubUrl})`;
    } catch {
      return `--hub-url ${s.hubUrl} is not a URL`;
    }
  }
  return null;
}
