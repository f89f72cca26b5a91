// The Worker's configuration: its [vars] parsed once per bindings object, with today's lenient fallbacks.
import * as v from 'valibot';
import { MAX_PAGE_SIZE } from './model/limits';

/**
 * A non-negative number given as text; anything else (unset, empty, not a number, negative) falls
 * back, so a mistyped var never stops the writer.
 */
const count = (fallback: number) =>
  v.fallback(v.pipe(v.string(), v.nonEmpty(), v.transform(Number), v.number(), v.finite(), v.minValue(0)), fallback);

/** Where the gateway's audience data points go; "none" counts nothing at all. */
export const AUDIENCE_SINKS = ['local', 'analytics-engine', 'none'] as const;
export type AudienceSinkName = (typeof AUDIENCE_SINKS)[number];

const Vars = v.object({
  SITE_URL: v.string(),
  /** WebSub hub; empty means no hub is announced or pinged. */
  HUB_URL: v.fallback(v.string(), ''),
  PAGE_SIZE: v.pipe(
    count(50),
    v.transform((n) => Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(n) || 50))),
  ),
  WARM_TTL: count(5),
  KV_WRITE_GAP_MS: count(1000),
  PURGE_GAP_MS: count(12_000),
  PURGE_TIMEOUT_MS: count(10_000),
  PURGE_REPEAT_MS: count(60_000),
  HUB_TIMEOUT_MS: count(10_000),
  KV_STALE_WAIT_MS: count(250),
  KV_READ_TIMEOUT_MS: count(5000),
  /** Unset or empty is "local"; any other text is kept as written, so a misspelt sink can be named where it fails. */
  AUDIENCE_SINK: v.pipe(
    v.fallback(v.string(), ''),
    v.transform((s) => s.trim() || 'local'),
  ),
  AUDIENCE_ACCOUNT_ID: v.fallback(v.string(), ''),
  LIVE_COUNTS_EVERY_MS: count(3_600_000),
});

const isSinkName = (s: string): s is AudienceSinkName => (AUDIENCE_SINKS as readonly string[]).includes(s);

/** The Worker's vars, parsed: what every var means and its fallback are written once, above. */
export interface Config {
  siteUrl: string;
  hubUrl: string;
  /** Items per feed page, 1…MAX_PAGE_SIZE. */
  pageSize: number;
  /** Seconds a hot document may be served from isolate memory. */
  warmTtlS: number;
  /** Milliseconds between two writes of one KV key. */
  kvWriteGapMs: number;
  /** Milliseconds between two edge-cache purge calls (Cloudflare rate-limits them). */
  purgeGapMs: number;
  /** How long a purge may go unanswered before the writer moves on. */
  purgeTimeoutMs: number;
  /** When each purge is sent again: KV between locations can lag by about 60 s. */
  purgeRepeatMs: number;
  /** How long a WebSub hub may go unanswered before the ping counts as failed. */
  hubTimeoutMs: number;
  /** With a stale warm copy in hand, how long a read waits on KV before answering with the copy. */
  kvStaleWaitMs: number;
  /** Without one, how long a read waits on KV before answering 503. */
  kvReadTimeoutMs: number;
  /**
   * The audience sink, or `{ unknown }` for a value that names none: then nothing is written and the
   * sink's first use logs the value (a misspelt "analytics-engine" must not pass for "none" unseen).
   */
  audienceSink: AudienceSinkName | { unknown: string };
  /** The account whose Analytics Engine SQL API the rollup reads ("" when unset). */
  audienceAccountId: string;
  /** Live counts reach item pages and the video sitemap at most this often (ms). */
  liveCountsEveryMs: number;
}

const parsed = new WeakMap<object, Config>();

/** The configuration of a bindings object, parsed the first time it is asked for. */
export function config(env: Pick<Env, keyof v.InferInput<typeof Vars>>): Config {
  let c = parsed.get(env);
  if (!c) {
    const vars = v.parse(Vars, env);
    c = {
      siteUrl: vars.SITE_URL,
      hubUrl: vars.HUB_URL,
      pageSize: vars.PAGE_SIZE,
      warmTtlS: vars.WARM_TTL,
      kvWriteGapMs: vars.KV_WRITE_GAP_MS,
      purgeGapMs: vars.PURGE_GAP_MS,
      purgeTimeoutMs: vars.PURGE_TIMEOUT_MS,
      purgeRepeatMs: vars.PURGE_REPEAT_MS,
      hubTimeoutMs: vars.HUB_TIMEOUT_MS,
      kvStaleWaitMs: vars.KV_STALE_WAIT_MS,
      kvReadTimeoutMs: vars.KV_READ_TIMEOUT_MS,
      audienceSink: isSinkName(vars.AUDIENCE_SINK) ? vars.AUDIENCE_SINK : { unknown: vars.AUDIENCE_SINK },
      audienceAccountId: vars.AUDIENCE_ACCOUNT_ID.trim(),
      liveCountsEveryMs: vars.LIVE_COUNTS_EVERY_MS,
    };
    parsed.set(env, c);
  }
  return c;
}
