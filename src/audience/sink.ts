// One interface, two sinks: Workers Analytics Engine in production, the audience store's own SQLite locally.
import { audienceStore } from './access';
import { dataPoint, type AudiencePoint } from './points';

/** Where counted requests go. */
export interface AudienceSink {
  write(points: readonly AudiencePoint[]): Promise<void>;
}

/** Analytics Engine: one data point per request, written without waiting (the binding buffers). */
export const analyticsEngineSink = (dataset: AnalyticsEngineDataset): AudienceSink => ({
  async write(points) {
    for (const p of points) dataset.writeDataPoint(dataPoint(p));
  },
});

/** The local sink: the audience store keeps the same points until the rollup folds them in. */
export const localSink = (env: Env): AudienceSink => ({
  async write(points) {
    await audienceStore(env).write([...points]);
  },
});

/** The sink AUDIENCE_SINK names: "local" (the default) or "analytics-engine". */
export function sinkFor(env: Env): AudienceSink {
  const name = env.AUDIENCE_SINK || 'local';
  if (name === 'local') return localSink(env);
  if (name === 'analytics-engine') return analyticsEngineSink(env.AUDIENCE);
  throw new Error(`AUDIENCE_SINK "${name}" is neither "local" nor "analytics-engine"`);
}
