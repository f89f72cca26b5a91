#!/usr/bin/env node
// `npm start`: wrangler dev on 127.0.0.1:8787, then content/ published through the real API.
import { spawn } from 'node:child_process';
import { ensureToken } from './dev-vars.mjs';
import { publishContent } from './publish.mjs';

const URL_BASE = 'http://127.0.0.1:8787';
const token = await ensureToken();
const dev = spawn('npx', ['wrangler', 'dev', '--ip', '127.0.0.1', '--port', '8787'], {
  stdio: 'inherit',
  env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
});
const stop = () => dev.kill('SIGTERM');
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
dev.on('exit', (code) => process.exit(code ?? 0));

const deadline = Date.now() + 120_000;
for (;;) {
  try {
    if ((await fetch(`${URL_BASE}/healthz`)).ok) break;
  } catch {
    // not listening yet
  }
  if (Date.now() > deadline) {
    console.error('wrangler dev did not come up within 120 s');
    stop();
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 500));
}
const { published, failed } = await publishContent({ url: URL_BASE, dir: 'content', token });
for (const f of failed) console.error(f);
console.log(`\nwirefeed: ${published} items published from content/ — ${URL_BASE}/  (feeds: /feed.xml /feed.atom /feed.json)\n`);
