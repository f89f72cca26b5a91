import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

// Two projects: the suite inside workerd (real KV and Durable Object from wrangler.toml, only the
// secret, the warm-cache bound and the KV write gap injected through bindings; tests that need
// the production values set them), and a Node project that runs the
// bundled Worker under Miniflare for the tools that live outside workerd (jing, feedparser, Chromium).
export default defineConfig({
  test: {
    // The JSON report feeds the one-line summary .ci/run prints.
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    projects: [
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: { bindings: { API_TOKEN: 'test-token', WARM_TTL: '0', KV_WRITE_GAP_MS: '0' } },
          }),
        ],
        test: { name: 'workerd', include: ['test/*.test.ts'], setupFiles: ['test/setup.ts'], testTimeout: 60_000 },
      },
      {
        test: { name: 'node', include: ['test/node/*.test.ts'], environment: 'node', testTimeout: 120_000, hookTimeout: 180_000 },
      },
    ],
  },
});
