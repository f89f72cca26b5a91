#!/usr/bin/env node
// `npm run stats`: the audience counts (GET /api/stats) as a table for a person; `--json` prints them raw.
import { parseArgs } from 'node:util';
import { DEFAULT_URL, apiClient, problemText } from './api-client.mjs';
import { tokenFor } from './deploy-state.mjs';
import { formatStats } from './stats-table.mjs';

const USAGE =
  'Usage: npm run stats -- [--url URL] [--token TOKEN] [--by day|item|feed|partner|site] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--feed /feed.xml] [--json]';

let values;
try {
  ({ values } = parseArgs({
    options: {
      url: { type: 'string', default: DEFAULT_URL },
      token: { type: 'string' },
      by: { type: 'string', default: 'day' },
      from: { type: 'string' },
      to: { type: 'string' },
      feed: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (err) {
  console.error(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  console.log(`${USAGE}\n  Counts at URL (default $WIREFEED_URL or http://127.0.0.1:8787), the last 7 days unless --from/--to say.`);
  process.exit(0);
}
const token = values.token ?? process.env.API_TOKEN ?? (await tokenFor(values.url));
if (!token) {
  console.error('No API token: pass --token, set API_TOKEN, or run `npm start` once to create .dev.vars');
  process.exit(2);
}
const query = new URLSearchParams({ by: values.by });
if (values.from) query.set('from', values.from);
if (values.to) query.set('to', values.to);
// One feed's days (with by day): its subscribers and fetches.
if (values.feed) query.set('feed', values.feed);
try {
  const a = await apiClient(values.url, token).call('GET', `/api/stats?${query}`);
  if (!a.ok) throw new Error(`GET /api/stats: ${problemText(a)}`);
  console.log(values.json ? JSON.stringify(a.body, null, 2) : formatStats(a.body).join('\n'));
} catch (err) {
  console.error(`stats: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
}
