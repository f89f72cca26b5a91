// What the newsroom API's routes share: the writer stub, strict JSON bodies for the validator, size limits, answers.
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type * as v from 'valibot';
import type { AppEnv } from '../env';
import { ProblemError, badRequest, fieldError, invalid, unavailable } from '../errors';
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
// The media types Hono's json validator reads; anything else would reach the schema as {}.
const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;

/** The newsroom API's environment: the JSON body as sent (before validation), for the content hash. */
export type ApiEnv = AppEnv & { Variables: { body: unknown } };

/**
 * Reads a JSON body strictly, ahead of the valibot validator: it must say it is JSON (415), be valid
 * UTF-8 with no silent U+FFFD (400) and parse (400). `shape` may refuse the body's outline (a 400
 * for a list where an object belongs) and drops or adds what the schema must not see or needs (the
 * slug from the address); its result is what the validator checks and what `c.var.body` holds.
 */
export const strictJson =
  (shape: (raw: unknown, c: Context<ApiEnv>) => unknown = (raw) => raw): MiddlewareHandler<ApiEnv> =>
  async (c, next) => {
    const type = c.req.header('Content-Type') ?? '';
    if (!JSON_TYPE.test(type.split(';')[0]?.trim() ?? '')) throw fieldError(415, 'Content-Type', 'send the body as application/json');
    let text: string;
    try {
      text = utf8.decode(await c.req.arrayBuffer());
    } catch {
      throw badRequest('(body)', 'is not valid UTF-8');
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw badRequest('(body)', 'is not valid JSON');
    }
    const body = shape(raw, c);
    c.set('body', body);
    // Hono's validator reads the body through the request's cache: hand it the shaped text.
    (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve(body === raw ? text : JSON.stringify(body));
    await next();
  };

/** The body as a JSON object without `meta` (what GET adds); a 400 naming `field` for anything else. */
export function objectBody(raw: unknown, field = '(body)'): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw badRequest(field, 'must be a JSON object');
  const { meta: _meta, ...fields } = raw as Record<string, unknown>;
  return fields;
}

/** The valibot validator's failure hook: 422 naming the first problem's field and listing every problem. */
export const invalidBody = (result: { success: boolean; issues?: readonly v.BaseIssue<unknown>[] }) => {
  if (!result.success) throw invalid(result.issues ?? []);
};

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
export function settled(env: Env, stats: FlushStats) {
  storeFor(env).forget(stats.keys);
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
