import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

// The writer's EDGE_CACHE binding, in tests: a Worker that records each purge it is asked for
// (Miniflare has no Workers Cache), so a test can check exactly which tags a publish purges.
const PURGE_RECORDER = `
import { WorkerEntrypoint } from 'cloudflare:workers';
let calls = [];
export default class extends WorkerEntrypoint {
  async purge(request) { calls.push(request); return { success: true, errors: [] }; }
  async calls() { return calls; }
  async reset() { calls = []; }
}`;

// Two projects: the suite inside workerd (real KV and Durable Object from wrangler.toml; only the
// secret, the warm-cache bound, the KV write gap, the purge gap, the waits on slow KV reads, edge
// purges and hub pings, and the purge recorder injected through bindings; tests that need the
// production values set them), and a Node project that runs the Worker, built once per run by its
// globalSetup, under Miniflare for the tools that live outside workerd (jing, feedparser, the W3C
// validator, Chromium).
export default defineConfig({
  test: {
    // The JSON report feeds the one-line summary .ci/run prints.
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    // A file per core at once (vitest's default leaves one core idle). Each workerd file runs in a
    // Miniflare of its own and each Node file starts its own instances, so files share no state;
    // much of a file's time is spent waiting (on the writer's alarms, on Python, on Chromium).
    maxWorkers: '100%',
    projects: [
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                API_TOKEN: 'test-token',
                WARM_TTL: '0',
                KV_WRITE_GAP_MS: '0',
                PURGE_GAP_MS: '0',
                // Shorter than in production (250 ms, 5 s), so the tests of slow reads wait little, and long
                // enough that an ordinary read on a busy machine is not cut short; the tests read these values.
                KV_STALE_WAIT_MS: '150',
                KV_READ_TIMEOUT_MS: '2000',
                // A minute rather than an hour; the tests move past it with the cron's scheduledTime.
                LIVE_COUNTS_EVERY_MS: '60000',
              },
              serviceBindings: { EDGE_CACHE: 'purge-recorder' },
              workers: [{ name: 'purge-recorder', modules: true, script: PURGE_RECORDER, compatibilityDate: '2026-11-17' }],
            },
          }),
        ],
        test: {
          name: 'workerd',
          // Grouped by what they cover: read, write, faults, deploy, conformance, unit.
          include: ['test/*/*.test.ts'],
          exclude: ['test/node/**', 'test/**/*.warm.test.ts'],
          setupFiles: ['test/setup.ts'],
          testTimeout: 60_000,
        },
      },
      // The warm path as deployed (WARM_TTL 5, which the suite above sets to 0), through the real default export.
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: { API_TOKEN: 'test-token', WARM_TTL: '5', KV_WRITE_GAP_MS: '0', PURGE_GAP_MS: '0' },
              serviceBindings: { EDGE_CACHE: 'purge-recorder' },
              workers: [{ name: 'purge-recorder', modules: true, script: PURGE_RECORDER, compatibilityDate: '2026-11-17' }],
            },
          }),
        ],
        test: { name: 'workerd-warm', include: ['test/**/*.warm.test.ts'], setupFiles: ['test/setup.ts'], testTimeout: 60_000 },
      },
      {
        test: {
          name: 'node',
          include: ['test/node/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/node/build-once.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
