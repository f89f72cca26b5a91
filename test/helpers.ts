// Test helpers: content/ as the API sees it, an authenticated API client, XML parsing and KV counting.
import { SELF, env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { XMLParser } from 'fast-xml-parser';
import { vi } from 'vitest';
import { parseItemFile, parseSiteFile, publicationOrder } from '../scripts/content.mjs';
import type { Publisher } from '../src/publish/publisher';
import type { PublishResult } from '../src/publish/results';
import type { PurgeRequest } from '../src/http/edge-cache';

export const ORIGIN = 'http://127.0.0.1:8787';
export const TOKEN = 'test-token';

const itemFiles = import.meta.glob('../content/items/*.md', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
const siteFiles = import.meta.glob('../content/site.yaml', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

/** Raw content/ item files by name. */
export const contentFiles = Object.entries(itemFiles).map(([path, text]) => ({ file: path.split('/').pop() as string, text }));

/** Every content/ item as an API body, oldest first. */
export const contentItems = publicationOrder(contentFiles.map(({ file, text }) => parseItemFile(text, file)));

const siteText = Object.values(siteFiles)[0];
export const siteSettings = siteText ? parseSiteFile(siteText) : {};

/** Calls the newsroom API with the test token. */
export function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return SELF.fetch(`${ORIGIN}/api${path}`, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

/** Publishes one item and returns the API's answer, failing loudly on anything but 200/201. */
export async function publish(item: Record<string, unknown>): Promise<PublishAnswer> {
  const res = await api('PUT', `/items/${String(item.slug)}`, item);
  if (res.status !== 200 && res.status !== 201) throw new Error(`publish ${String(item.slug)}: ${res.status} ${await res.text()}`);
  return (await res.json()) as PublishAnswer;
}

/** The API's answer to a publish: the writer's result without its internal bookkeeping. */
export type PublishAnswer = Omit<PublishResult, 'ok' | 'keys' | 'feeds' | 'dueAt'>;

/** The EDGE_CACHE binding as tests bind it: a Worker that records every purge the writer asks for. */
export interface PurgeRecorder {
  purge(request: PurgeRequest): Promise<unknown>;
  calls(): Promise<PurgeRequest[]>;
  reset(): Promise<void>;
}

export const purgeRecorder = (e: Env) => e.EDGE_CACHE as unknown as PurgeRecorder;

/** Publishes content/ the way `npm start` does: site settings, then items oldest first. */
export async function publishContent(): Promise<void> {
  const res = await api('PUT', '/site', siteSettings);
  if (!res.ok) throw new Error(`site: ${res.status} ${await res.text()}`);
  for (const item of contentItems) await publish(item);
}

export const get = (path: string, headers: Record<string, string> = {}) => SELF.fetch(`${ORIGIN}${path}`, { headers });

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  // Numeric character references are XML; fast-xml-parser decodes them only with this on.
  htmlEntities: true,
  isArray: (name) =>
    ['item', 'entry', 'link', 'atom:link', 'category', 'author', 'dc:creator', 'media:credit', 'podcast:transcript'].includes(name),
});

/** Parses XML with a real parser (fast-xml-parser), keeping attributes as `@name`. */
export function parseXml(text: string): any {
  return xml.parse(text, true);
}

/** A synthetic article for volume tests. */
export function syntheticItem(n: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const day = new Date(Date.UTC(2021, 0, 1) + n * 3_600_000).toISOString().replace('.000Z', '+00:00');
  return {
    slug: `item-${n}`,
    kind: 'article',
    title: `Item ${n}`,
    summary: `Summary of item ${n}.`,
    body: `Body of item **${n}**.`,
    published: day,
    language: 'en',
    authors: [{ name: n % 2 ? 'Odd Writer' : 'Even Writer' }],
    tags: [n % 3 ? 'common' : 'third'],
    ...extra,
  };
}

/** Counts KV calls by method, wrapping a real namespace (nothing is mocked: every call goes through). */
export function countingKv(kv: KVNamespace): { kv: KVNamespace; counts: Record<string, number>; keys: Record<string, string[]> } {
  const counts: Record<string, number> = {};
  const keys: Record<string, string[]> = {};
  const wrapped = new Proxy(kv, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        counts[String(prop)] = (counts[String(prop)] ?? 0) + 1;
        (keys[String(prop)] ??= []).push(String(args[0]));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { kv: wrapped, counts, keys };
}

/** The writer's Durable Object, as every test reaches it. */
export const publisherStub = () => env.PUBLISHER.get(env.PUBLISHER.idFromName('main'));

/** Waits real time: for alarms Miniflare fires by itself, and for clocks that must move. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs `fn` with the publisher's bindings patched (a wrapped KV, a hub URL), then restores them; patches nest. */
export async function withPublisherEnv(patch: Partial<Env>, fn: () => Promise<unknown>): Promise<void> {
  const stub = publisherStub();
  let before: Env | undefined;
  await runInDurableObject(stub, (instance: Publisher) => {
    const holder = instance as unknown as { env: Env };
    before = holder.env;
    holder.env = { ...holder.env, ...patch };
  });
  try {
    await fn();
  } finally {
    await runInDurableObject(stub, (instance: Publisher) => {
      (instance as unknown as { env: Env }).env = before as Env;
    });
  }
}

/** Runs `fn` with the publisher's KV binding wrapped in a counter, and returns the counts. */
export async function countPublisherKv(
  fn: () => Promise<unknown>,
): Promise<{ counts: Record<string, number>; keys: Record<string, string[]> }> {
  const { kv, counts, keys } = countingKv(env.FEEDS);
  await withPublisherEnv({ FEEDS: kv }, fn);
  return { counts, keys };
}

export const HUB = 'https://hub.example/';

/**
 * Lets the writer's alarm finish what a publish left it (edge purges, hub pings): runs the alarm
 * until the status shows nothing queued for the hub and no purge due. Miniflare may fire the alarm
 * by itself too.
 */
export async function settleWriter(): Promise<void> {
  const stub = publisherStub();
  for (let i = 0; i < 50; i++) {
    await runDurableObjectAlarm(stub);
    const status = await (await api('GET', '/status')).json<{ hub: { queued: number }; edgeCache: { due: number } }>();
    if (status.hub.queued === 0 && status.edgeCache.due === 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the writer still has hub pings or edge purges waiting');
}

/** Answers outbound requests to HUB with `answer` and records them; anything else goes out as usual. */
export function mockHub(answer: () => Promise<Response>): { url: string; body: string }[] {
  const original = globalThis.fetch;
  const calls: { url: string; body: string }[] = [];
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (!url.startsWith(HUB)) return original(input, init);
    calls.push({ url, body: String(init?.body ?? '') });
    return answer();
  });
  return calls;
}

/** The writer's status as GET /api/status reports it (loosely typed: tests read what they check). */
export const writerStatus = async (): Promise<any> => (await api('GET', '/status')).json<any>();

/** Nothing owed: no backlog, no jobs, no live counts' pages, no rebuild, no hub pings. */
export const owesNothing = (s: any): boolean =>
  !s.jobs.backlog && !s.jobs.pending && !s.liveCounts.owed && !s.render.rebuild && !s.hub.queued;

/**
 * Runs the writer's alarm until `done(status)` holds, at most `max` times, and returns that status;
 * `between(status)` runs before each alarm (a check made mid-way). Miniflare may fire a due alarm by
 * itself; either way the next batch runs.
 */
export async function runAlarmsUntil(
  done: (s: any) => boolean = owesNothing,
  o: { max?: number; between?: (s: any) => Promise<void> } = {},
): Promise<any> {
  const max = o.max ?? 60;
  for (let i = 0; i < max; i++) {
    const s = await writerStatus();
    if (done(s)) return s;
    await o.between?.(s);
    if (!(await runDurableObjectAlarm(publisherStub()))) await sleep(50);
  }
  throw new Error(`the writer still owes work after ${max} alarms`);
}

/** Makes every owed job due now, so a test need not wait out the writer's retry back-off (5 s, then longer). */
export const retryOwedNow = () =>
  runInDurableObject(publisherStub(), (_i, state) => void state.storage.sql.exec('UPDATE queue SET not_before = 0'));

/** When the earliest owed job may be retried (ms since the epoch), or null when none is owed. */
export const owedRetryAt = () =>
  runInDurableObject(
    publisherStub(),
    (_i, state) => state.storage.sql.exec<{ at: number | null }>('SELECT MIN(not_before) AS at FROM queue WHERE priority = 0').one().at,
  );

/**
 * Follows a feed's RFC 5005 prev-archive chain from `start`: each page as `read` makes it (its
 * `prev`, the next address to read, or none at the oldest), newest first. A chain longer than `max`
 * pages fails.
 */
export async function walkArchives<P extends { prev?: string | null }>(
  start: string,
  read: (at: string) => Promise<P>,
  max = 250,
): Promise<P[]> {
  const pages: P[] = [];
  for (let at: string | null | undefined = start; at; at = pages.at(-1)?.prev) {
    if (pages.length >= max) throw new Error(`${start}: the prev-archive chain does not end within ${max} pages`);
    pages.push(await read(at));
  }
  return pages;
}

type KvMethod = (...args: any[]) => Promise<any>;

/**
 * Real KV with some methods replaced (a fault, a delay, a record): each replacement gets the real
 * method and the call's arguments. Every other method goes to the real namespace untouched.
 */
export function kvWith(
  kv: KVNamespace,
  replace: Partial<Record<keyof KVNamespace, (real: KvMethod, ...args: any[]) => Promise<unknown>>>,
): KVNamespace {
  return new Proxy(kv, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (typeof value !== 'function') return value;
      const real = (value as KvMethod).bind(target);
      const fault = replace[prop as keyof KVNamespace];
      return fault ? (...args: unknown[]) => fault(real, ...args) : real;
    },
  });
}

/** A KV replacement that refuses every call with `message`. */
export const refuse = (message: string) => (): Promise<never> => Promise.reject(new Error(message));

/** A promise and its release, for holding a call until the test lets it go. */
export function gate(): { held: Promise<void>; release: () => void } {
  let release: () => void = () => undefined;
  const held = new Promise<void>((r) => (release = r));
  return { held, release };
}

/**
 * Imports items in one request (a quick way to set up many) and runs the writer's alarm until it owes
 * nothing, so the next publish's writes are its own; returns the items' ids in the order given.
 */
export async function importSettled(items: Record<string, unknown>[]): Promise<string[]> {
  const res = await api('POST', '/import', { items });
  if (res.status !== 200) throw new Error(`import: ${res.status} ${await res.text()}`);
  const ids = ((await res.json<any>()).items as { id: string }[]).map((i) => i.id);
  await runAlarmsUntil();
  await settleWriter();
  return ids;
}
