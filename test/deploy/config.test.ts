// The Worker's vars, parsed once per bindings object, with the writer's lenient fallbacks.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { config } from '../../src/config';
import { MAX_PAGE_SIZE } from '../../src/model/limits';

const withVars = (vars: Partial<Record<keyof Env, string>>) => config({ ...env, ...vars } as Env);

describe('config', () => {
  it('reads wrangler.toml [vars] (as vitest.config.ts overrides them)', () => {
    expect(config(env)).toEqual({
      siteUrl: 'http://127.0.0.1:8787',
      hubUrl: '',
      pageSize: 50,
      warmTtlS: 0,
      kvWriteGapMs: 0,
      purgeGapMs: 0,
      purgeTimeoutMs: 10_000,
      purgeRepeatMs: 60_000,
      hubTimeoutMs: 10_000,
      kvStaleWaitMs: 150,
      kvReadTimeoutMs: 2000,
      liveCountsEveryMs: 60_000,
    });
  });

  it('falls back on a var that is unset, empty, not a number or negative, and never stops on one', () => {
    for (const bad of [undefined, '', 'soon', '-1', 'Infinity']) {
      const c = withVars({
        KV_WRITE_GAP_MS: bad,
        PURGE_GAP_MS: bad,
        PURGE_TIMEOUT_MS: bad,
        HUB_TIMEOUT_MS: bad,
        KV_STALE_WAIT_MS: bad,
        KV_READ_TIMEOUT_MS: bad,
        PAGE_SIZE: bad,
        LIVE_COUNTS_EVERY_MS: bad,
      });
      expect(
        [
          c.kvWriteGapMs,
          c.purgeGapMs,
          c.purgeTimeoutMs,
          c.hubTimeoutMs,
          c.kvStaleWaitMs,
          c.kvReadTimeoutMs,
          c.pageSize,
          c.liveCountsEveryMs,
        ],
        String(bad),
      ).toEqual([1000, 12_000, 10_000, 10_000, 250, 5000, 50, 3_600_000]);
    }
    expect(withVars({ PURGE_TIMEOUT_MS: '2500', HUB_TIMEOUT_MS: '0' })).toMatchObject({ purgeTimeoutMs: 2500, hubTimeoutMs: 0 });
  });

  it('keeps the page size whole and within 1…MAX_PAGE_SIZE', () => {
    expect(withVars({ PAGE_SIZE: '7.9' }).pageSize).toBe(7);
    expect(withVars({ PAGE_SIZE: '0' }).pageSize).toBe(50);
    expect(withVars({ PAGE_SIZE: String(MAX_PAGE_SIZE * 10) }).pageSize).toBe(MAX_PAGE_SIZE);
  });

  it('parses a bindings object once, and another one afresh', () => {
    expect(config(env)).toBe(config(env));
    const patched = { ...env, PAGE_SIZE: '4' } as Env;
    expect(config(patched).pageSize).toBe(4);
    expect(config(env).pageSize).toBe(50);
  });
});
