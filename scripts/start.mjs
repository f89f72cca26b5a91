#!/usr/bin/env node
// `npm start`: wrangler dev on 127.0.0.1:8787, then content/ synced through the real API (sync.mjs).
import { spawn } from 'node:child_process';
import { ensureToken } from './dev-vars.mjs';
import { sync } from './sync.mjs';

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
// The sync prints its plan and one summary line (what the writer did); a restart with an unchanged
// content/ sends nothing. A bad file is named on stderr and the server keeps running.
try {
  await sync({ url: URL_BASE, dir: 'content', token, progress: false });
} catch (err) {
  console.error(`publishing content/ failed: ${err instanceof Error ? err.message : String(err)}`);
}
console.log(`\nwirefeed: content/ synced — ${URL_BASE}/  (feeds: /feed.xml /feed.atom /feed.json; \`npm run status\` for the writer)\n`);
