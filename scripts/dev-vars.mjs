// The local API token lives in .dev.vars (git-ignored), which wrangler dev reads as secrets.
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';

const FILE = '.dev.vars';

/** @returns {Promise<string | undefined>} the API_TOKEN in .dev.vars, if any */
export async function readToken() {
  const text = await readFile(FILE, 'utf8').catch(() => '');
  return /^API_TOKEN\s*=\s*"?([^"\n]+)"?\s*$/m.exec(text)?.[1];
}

/** Creates .dev.vars with a random token unless one is there. @returns {Promise<string>} */
export async function ensureToken() {
  const existing = await readToken();
  if (existing) return existing;
  const token = randomBytes(24).toString('base64url');
  const text = await readFile(FILE, 'utf8').catch(() => '');
  await writeFile(FILE, `${text}${text && !text.endsWith('\n') ? '\n' : ''}API_TOKEN="${token}"\n`, { mode: 0o600 });
  return token;
}
