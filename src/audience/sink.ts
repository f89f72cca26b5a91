// One interface, two sinks: Workers Analytics Engine in production, the audience store's own SQLite locally (or none).
import { config } from '../config';
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

/** AUDIENCE_SINK = "none": counting is off; whatever is handed to it is dropped. */
export const noSink: AudienceSink = { write: async () => {} };

/**
 * The sink AUDIENCE_SINK names: "local" (the default), "analytics-engine" or "none". A value that names
 * none throws here, at the first write, so the gateway's count logs it (once) and nothing is written.
 * The gateway does not ask at all when counting is off: it computes no point.
 */
export function sinkFor(env: Env): AudienceSink {
  const name = config(env).audienceSink;
  if (name === 'local') return localSink(env);
  if (name === 'analytics-engine') return analyticsEngineSink(env.AUDIENCE);
  if (name === 'none') return noSink;
  throw new Error(`AUDIENCE_SINK "${name.unknown}" is not "local", "analytics-engine" or "none"`);
}

/** Whether the gateway counts at all: false with AUDIENCE_SINK = "none". */
export const counting = (env: Env): boolean => config(env).audienceSink !== 'none';
