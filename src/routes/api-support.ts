// What the newsroom API's routes share: the writer stub, strict JSON bodies, size limits, answers.
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../env';
import { ProblemError, badRequest, fieldError, unavailable } from '../errors';
import type { Rejection } from '../publish/results';
import type { FlushStats } from '../publish/kv-writer';
import { storeFor } from '../store/kv-store';

/** The one writer, as a stub. */
export const publisher = (env: Env) => env.PUBLISHER.get(env.PUBLISHER.idFromName('main'));

/** Calls the writer; if it cannot be reached, nothing was stored, and the client may simply repeat. */
export async function write<T>(work: PromiseLike<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    console.error('writer failed', err);
    throw unavailable('The writer did not take the change; nothing was stored. Repeat the request.');
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Reads a JSON body: it must say it is JSON, be valid UTF-8 (no silent U+FFFD) and parse. */
export async function readJson(c: Context<AppEnv>): Promise<unknown> {
  const type = c.req.header('Content-Type') ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) {
    throw fieldError(415, 'Content-Type', 'send the body as application/json');
  }
  let text: string;
  try {
    text = utf8.decode(await c.req.arrayBuffer());
  } catch {
    throw badRequest('(body)', 'is not valid UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('(body)', 'is not valid JSON');
  }
}

/**
 * Turns the writer's refusals into the problem a client hears (the first one's status and field);
 * refusals within an import carry the item's index and slug.
 */
export function refusal(rs: readonly (Rejection & { index?: number; slug?: string })[]): ProblemError {
  const errors = rs.map((r) =>
    r.index === undefined
      ? { field: r.field, message: r.message }
      : { field: `items[${r.index}].${r.field}`, message: r.message, index: r.index, slug: r.slug ?? null },
  );
  const first = errors[0] ?? { field: '(body)', message: 'was refused' };
  return new ProblemError(rs[0]?.status ?? 422, `${first.field}: ${first.message}`, { field: first.field, errors });
}

/** What the writer did, for the answer body, without its internal bookkeeping; drops this isolate's stale copies. */
export function settled(c: Context<AppEnv>, stats: FlushStats) {
  storeFor(c.env).forget(stats.keys);
  const { keys: _k, feeds: _f, dueAt: _d, ...counts } = stats;
  return counts;
}

/** 413 naming the body, for requests over a route's size limit. */
export const sizeLimit = (maxSize: number) =>
  bodyLimit({
    maxSize,
    onError: () => {
      throw fieldError(413, '(body)', `is larger than ${maxSize} bytes`);
    },
  });
