// The Worker's vars, parsed once per bindings object, with the writer's lenient fallbacks.
import { env } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { config } from '../../src/config';
import { counting, noSink, sinkFor } from '../../src/audience/sink';
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
      audienceSink: 'local',
      audienceAccountId: '',
      liveCountsEveryMs: 60_000,
    });
  });

  it('names the audience sink: unset or empty is "local"; a value that names none is kept to be reported', () => {
    for (const [given, sink] of [
      [undefined, 'local'],
      ['', 'local'],
      [' ', 'local'],
      ['local', 'local'],
      ['analytics-engine', 'analytics-engine'],
      ['none', 'none'],
      ['analytics_engine', { unknown: 'analytics_engine' }],
      ['None', { unknown: 'None' }],
    ] as const)
      expect(withVars({ AUDIENCE_SINK: given }).audienceSink, String(given)).toEqual(sink);
    expect(withVars({ AUDIENCE_ACCOUNT_ID: ' 0123abcd ' }).audienceAccountId).toBe('0123abcd');
  });

  it('"none" writes nothing anywhere; an unknown sink counts nothing and is logged once, naming the value', async () => {
    const written: unknown[] = [];
    const dataset = { writeDataPoint: (p: unknown) => void written.push(p) } as AnalyticsEngineDataset;
    const point = {
      kind: 'view',
      at: 0,
      key: 'x',
      source: '',
      doc: '',
      etag: '',
      visitor: '',
      status: 200,
      subscribers: 0,
      bytes: 0,
      minute: 0,
    } as const;
    expect(sinkFor({ ...env, AUDIENCE_SINK: 'none', AUDIENCE: dataset } as Env)).toBe(noSink);
    await sinkFor({ ...env, AUDIENCE_SINK: 'none', AUDIENCE: dataset } as Env).write([point]);
    expect(written).toEqual([]);
    expect(counting({ ...env, AUDIENCE_SINK: 'none' } as Env)).toBe(false);
    // A name that is no sink counts nothing (no salt, no key is made for it); sinkFor still refuses it.
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(counting({ ...env, AUDIENCE_SINK: 'nowhere' } as Env)).toBe(false);
    expect(counting({ ...env, AUDIENCE_SINK: 'nowhere' } as Env)).toBe(false);
    expect(errors.mock.calls).toEqual([
      ['audience: AUDIENCE_SINK "nowhere" is not "local", "analytics-engine" or "none"; nothing is counted'],
    ]);
    errors.mockRestore();
    expect(() => sinkFor({ ...env, AUDIENCE_SINK: 'nowhere' } as Env)).toThrow(
      /AUDIENCE_SINK "nowhere" is not "local", "analytics-engine" or "none"/,
    );
    // The control: the same point reaches a sink that is named.
    await sinkFor({ ...env, AUDIENCE_SINK: 'analytics-engine', AUDIENCE: dataset } as Env).write([point]);
    expect(written).toHaveLength(1);
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
