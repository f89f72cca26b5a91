#!/usr/bin/env node
// `npm run publish`: syncs content/ to a running wirefeed (see sync.mjs), sending only what changed.
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_URL } from './api-client.mjs';
import { tokenFor } from './deploy-state.mjs';
import { sync } from './sync.mjs';

export { sync } from './sync.mjs';

/**
 * The older name, kept for callers that only want counts: a sync (never pruning) of `dir`.
 * @param {{ url: string, dir: string, token: string, log?: (line: string) => void }} o
 * @returns {Promise<{ published: number, failed: string[] }>}
 */
export async function publishContent({ url, dir, token, log = console.log }) {
  const r = await sync({ url, dir, token, log, warn: () => {}, progress: false });
  return { published: r.done.created + r.done.updated + r.done.same, failed: r.failed };
}

const USAGE = `Usage: npm run publish -- [options]
  --url URL      the wirefeed to sync to (default $WIREFEED_URL or http://127.0.0.1:8787)
  --dir DIR      the content directory: DIR/items/*.md and DIR/site.yaml (default content)
  --dry-run      print the plan and send nothing
  --prune        withdraw published items whose file is gone (named in the plan first)
  --token TOKEN  the API token (default $API_TOKEN, else .deploy/secrets.json when URL is the
                 deployed site in deploy.json, else API_TOKEN in .dev.vars)`;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        url: { type: 'string', default: DEFAULT_URL },
        dir: { type: 'string', default: 'content' },
        'dry-run': { type: 'boolean', default: false },
        prune: { type: 'boolean', default: false },
        token: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const token = values.token ?? process.env.API_TOKEN ?? (await tokenFor(values.url));
  if (!token) {
    console.error(
      'No API token: pass --token, set API_TOKEN, run `npm start` once to create .dev.vars, or (for the deployed site) copy .deploy/secrets.json from the machine that deployed it',
    );
    process.exit(2);
  }
  console.log(`Syncing ${values.dir}/ to ${values.url}`);
  try {
    const { failed } = await sync({ url: values.url, dir: values.dir, token, dryRun: values['dry-run'], prune: values.prune });
    process.exit(failed.length ? 1 : 0);
  } catch (err) {
    console.error(`publish: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  }
}
