// The live counts' way back: after the rollup, each item's all-time totals to the writer.
import type { CountsResult } from '../publish/live-counts';
import { publisher } from '../routes/api-support';
import { audienceStore } from './access';

/**
 * Hands the writer each item's totals measured up to `at` (the cron's time). The cron calls it only
 * when the writer's tick said counts are due (at most hourly), so the series are summed only then;
 * with nothing counted yet there is nothing to hand over.
 */
export async function countsToWriter(env: Env, at: number): Promise<CountsResult | null> {
  const totals = await audienceStore(env).itemTotals();
  return totals.length ? publisher(env).counts(totals, at) : null;
}
