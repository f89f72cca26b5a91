// The live counts' way back: after the rollup, each item's all-time totals to the writer, as often as it takes them.
import type { CountsResult } from '../publish/publisher';
import { publisher } from '../routes/api-support';
import { audienceStore } from './access';

/**
 * Hands the writer each item's totals measured up to `at` (the cron's time), when it will take them:
 * it says when (at most hourly), so the series are summed only then, not on every cron run.
 */
export async function countsToWriter(env: Env, at: number): Promise<CountsResult | null> {
  const writer = publisher(env);
  if (at < (await writer.countsDueAt())) return null;
  return writer.counts(await audienceStore(env).itemTotals(), at);
}
