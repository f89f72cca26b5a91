// Audience test helpers: a request through the gateway with its counting awaited, the cron's rollup, and the store's tables.
import { createExecutionContext, createScheduledController, env, runInDurableObject, waitOnExecutionContext } from 'cloudflare:test';
import Wirefeed from '../src/index';
import { audienceStore } from '../src/audience/access';
import { ORIGIN } from './helpers';

export const ADDRESS = '203.0.113.77';

/** Bindings whose Analytics Engine dataset throws on every write: a sink that fails (no storage of ours is mocked). */
export const FAILING_SINK: Partial<Env> = {
  AUDIENCE_SINK: 'analytics-engine',
  AUDIENCE: {
    writeDataPoint() {
      throw new Error('dataset unavailable');
    },
  },
};
export const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0';

/**
 * GETs `path` through the gateway (the default export, as the runtime calls it) and waits for what it
 * hands to waitUntil: the count. `patch` replaces bindings (a sink that throws).
 */
export async function visit(
  path: string,
  o: { ua?: string | null; address?: string; headers?: Record<string, string>; asn?: number; patch?: Partial<Env>; method?: string } = {},
): Promise<Response> {
  const headers: Record<string, string> = { 'CF-Connecting-IP': o.address ?? ADDRESS, ...o.headers };
  if (o.ua !== null) headers['User-Agent'] = o.ua ?? BROWSER;
  const ctx = createExecutionContext();
  const init: RequestInit = { headers, method: o.method ?? 'GET', redirect: 'manual', ...(o.asn ? { cf: { asn: o.asn } } : {}) };
  const res = await new Wirefeed(ctx, { ...env, ...o.patch }).fetch(new Request(`${ORIGIN}${path}`, init));
  // Bytes, not text: a download's body is a video.
  const body = await res.arrayBuffer();
  await waitOnExecutionContext(ctx);
  return new Response(res.status === 304 ? null : body, { status: res.status, headers: res.headers });
}

/**
 * POSTs a beacon through the gateway as navigator.sendBeacon sends one (a string as text/plain, from
 * our own origin) and waits for its count. `origin: null` leaves the Origin header out; a stream is
 * sent as it is, without a Content-Length.
 */
export async function beacon(
  body: unknown,
  o: { ua?: string | null; address?: string; origin?: string | null; headers?: Record<string, string>; patch?: Partial<Env> } = {},
): Promise<Response> {
  const headers: Record<string, string> = {
    'CF-Connecting-IP': o.address ?? ADDRESS,
    'Content-Type': 'text/plain;charset=UTF-8',
    ...(o.origin === null ? {} : { Origin: o.origin ?? ORIGIN }),
    ...o.headers,
  };
  if (o.ua !== null) headers['User-Agent'] = o.ua ?? BROWSER;
  const ctx = createExecutionContext();
  const init: RequestInit = {
    method: 'POST',
    headers,
    body: typeof body === 'string' || body instanceof ReadableStream ? body : JSON.stringify(body),
  };
  const res = await new Wirefeed(ctx, { ...env, ...o.patch }).fetch(new Request(`${ORIGIN}/beacon`, init));
  const text = await res.text();
  await waitOnExecutionContext(ctx);
  return new Response(res.status === 204 ? null : text, { status: res.status, headers: res.headers });
}

/** Fires the Cron Trigger's handler (the writer's tick, the audience rollup, the live counts) as if scheduled at `at`. */
export async function cron(at = Date.now()): Promise<void> {
  const ctx = createExecutionContext();
  await new Wirefeed(ctx, env).scheduled(createScheduledController({ scheduledTime: at }));
  await waitOnExecutionContext(ctx);
}

/** Every row of every table of the audience store. */
export async function storeTables(): Promise<Record<string, Record<string, unknown>[]>> {
  return runInDurableObject(audienceStore(env), (_i, state) => {
    const sql = state.storage.sql;
    const names = sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'")
      .toArray();
    return Object.fromEntries(names.map(({ name }) => [name, sql.exec(`SELECT * FROM "${name}"`).toArray()]));
  });
}

/** The raw points the local sink holds, not yet rolled up. */
export const rawPoints = async () => (await storeTables()).points ?? [];

/** The counts an item row always has, all zero: spread it and name the ones a test expects. */
export const ITEM_ZERO = { views: 0, shares: 0, impressions: 0, plays: 0, q25: 0, q50: 0, q75: 0, completes: 0, downloads: 0 };
/** The counts a site row always has, all zero. */
export const SITE_ZERO = { impressions: 0, plays: 0, q25: 0, q50: 0, q75: 0, completes: 0 };
/** The counts a day row always has, all zero. */
export const DAY_ZERO = { views: 0, fetches: 0, subscribers: 0, shares: 0, impressions: 0, plays: 0, downloads: 0 };
