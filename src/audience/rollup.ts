// The audience rollup the cron runs beside the writer's tick: raw points into hourly and daily series.
import { config } from '../config';
import { audienceStore } from './access';
import { readAnalytics } from './analytics-sql';

const HOUR = 3_600_000;
// Analytics Engine takes up to a few minutes to make a written point queryable.
const INGEST_LAG_MS = 5 * 60_000;
// A rollup that fell behind catches up a day at most per run, so one cron run stays short.
const MAX_SPAN_MS = 24 * HOUR;

/**
 * Folds what was counted into the series. Local sink: every raw point so far, on each cron run (so
 * `npm start` shows numbers within a minute). Analytics Engine: each hour once it is complete (and
 * ingested), read back through the SQL API: at most one query pair an hour. None: nothing.
 */
export async function rollup(env: Env, now: number): Promise<void> {
  const { audienceSink: sink, audienceAccountId: account } = config(env);
  // Counting is off: nothing new to fold, and the store is left asleep (points counted before stay raw).
  if (sink === 'none') return;
  if (typeof sink === 'object') throw new Error(`AUDIENCE_SINK "${sink.unknown}" is not "local", "analytics-engine" or "none"`);
  const store = audienceStore(env);
  if (sink === 'local') {
    // Everything counted up to and including this millisecond.
    await store.rollupLocal(now + 1);
    return;
  }
  const until = now - INGEST_LAG_MS - ((now - INGEST_LAG_MS) % HOUR);
  const done = await store.rolledUntil();
  const from = Math.max(done || until - HOUR, until - MAX_SPAN_MS);
  if (from >= until) return;
  const token = (env as { AUDIENCE_SQL_TOKEN?: string }).AUDIENCE_SQL_TOKEN;
  if (!account || !token) throw new Error('AUDIENCE_ACCOUNT_ID and the AUDIENCE_SQL_TOKEN secret are needed to read Analytics Engine');
  await store.absorb(await readAnalytics(account, token, from, until), until);
}
