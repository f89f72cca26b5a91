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
 * none throws here; the gateway never gets this far with one, as `counting` is false for it.
 */
export function sinkFor(env: Env): AudienceSink {
  const name = config(env).audienceSink;
  if (name === 'local') return localSink(env);
  if (name === 'analytics-engine') return analyticsEngineSink(env.AUDIENCE);
  if (name === 'none') return noSink;
  throw new Error(unknownSink(name.unknown));
}

const unknownSink = (name: string) => `AUDIENCE_SINK "${name}" is not "local", "analytics-engine" or "none"`;

// The misspelt names this isolate has logged: each once, not once per request.
const logged = new Set<string>();

/**
 * Whether the gateway counts at all: only with a sink it knows, not with "none". A value that names no
 * sink counts nothing either (no salt, no key, no point) and is logged, once per isolate, so a misspelt
 * "analytics-engine" does not pass for "none" unseen (the cron's rollup logs it too).
 */
export function counting(env: Env): boolean {
  const name = config(env).audienceSink;
  if (typeof name === 'string') return name !== 'none';
  if (!logged.has(name.unknown)) console.error(`audience: ${unknownSink(name.unknown)}; nothing is counted`);
  logged.add(name.unknown);
  return false;
}
