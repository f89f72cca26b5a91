// The newsroom API: publish, edit, rename and withdraw items, and set site settings. Never cached.
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { timingSafeEqual } from 'hono/utils/buffer';
import * as v from 'valibot';
import type { AppEnv } from '../env';
import { ProblemError, badRequest, invalid } from '../errors';
import { ItemInput, SiteSettings, SLUG_PATTERN } from '../model/schema';
import type { ImportResult, PublishConflict, PublishResult, SiteResult } from '../publish/results';
import { storeFor } from '../store/kv-store';
import { pingHub } from '../http/websub';

const publisher = (env: Env) => env.PUBLISHER.get(env.PUBLISHER.idFromName('main'));

/** A writer that cannot reach KV keeps what it owes and retries by alarm; the client hears 503, not 500. */
async function write<T>(work: PromiseLike<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    console.error('publisher failed', err);
    throw new ProblemError(503, 'Service Unavailable', 'Storage did not take the change yet; it is retried automatically. Repeat the request to confirm.', {}, { 'Retry-After': '10' });
  }
}

async function readJson(c: Context<AppEnv>): Promise<unknown> {
  const type = c.req.header('Content-Type') ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) {
    throw new ProblemError(415, 'Unsupported Media Type', 'Content-Type: send the item as application/json', { field: 'Content-Type' });
  }
  try {
    return await c.req.json();
  } catch {
    throw badRequest('(body)', 'is not valid JSON');
  }
}

function slugParam(c: Context<AppEnv>): string {
  const slug = c.req.param('slug') ?? '';
  if (!SLUG_PATTERN.test(slug) || slug.length > 120) throw badRequest('slug', 'must be lowercase letters, digits and single hyphens');
  return slug;
}

/** Drops this isolate's warm copies of what was written and pings the hub in the background. */
function settle(c: Context<AppEnv>, r: Pick<PublishResult, 'paths' | 'slugs' | 'changedFeeds'>): void {
  storeFor(c.env).forget(r.paths, r.slugs);
  if (c.env.HUB_URL && r.changedFeeds.length) c.executionCtx.waitUntil(pingHub(c.env.HUB_URL, c.env.SITE_URL, r.changedFeeds));
}

/** Sends a publish's answer once its writes are settled. */
function answer(c: Context<AppEnv>, r: PublishResult | PublishConflict, status: 200 | 201 = 200): Response {
  if (!r.ok) throw new ProblemError(r.status, r.status === 404 ? 'Not Found' : 'Conflict', r.detail, { field: r.field });
  settle(c, r);
  const { ok: _ok, paths: _p, slugs: _s, ...body } = r;
  return c.json(body, status);
}

export const api = new Hono<AppEnv>();

api.use('*', async (c, next) => {
  c.header('Cache-Control', 'no-store');
  const expected = c.env.API_TOKEN;
  if (!expected) throw new ProblemError(503, 'Service Unavailable', 'The API token is not configured (wrangler secret put API_TOKEN).');
  const m = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('Authorization') ?? '');
  if (!m || !(await timingSafeEqual(m[1] as string, expected))) {
    throw new ProblemError(401, 'Unauthorized', 'Authorization: send "Bearer <token>" with the newsroom token', { field: 'Authorization' }, {
      'WWW-Authenticate': 'Bearer realm="wirefeed"',
    });
  }
  await next();
});
api.use('*', bodyLimit({ maxSize: 1024 * 1024, onError: () => { throw new ProblemError(413, 'Content Too Large', '(body): at most 1 MiB', { field: '(body)' }); } }));

api.get('/items/:slug', async (c) => {
  const item = await publisher(c.env).get(slugParam(c));
  if (!item) throw new ProblemError(404, 'Not Found', `slug: no item "${c.req.param('slug')}" is published`, { field: 'slug' });
  return c.json(item);
});

api.put('/items/:slug', async (c) => {
  const slug = slugParam(c);
  const body = await readJson(c);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('(body)', 'must be a JSON object');
  const withSlug = { slug, ...body } as Record<string, unknown>;
  if (withSlug.slug !== slug) throw badRequest('slug', `must match the address (${slug}); to rename, PUT to the new slug with the item's id`);
  const parsed = v.safeParse(ItemInput, withSlug);
  if (!parsed.success) throw invalid(parsed.issues);
  const r = await write<PublishResult | PublishConflict>(publisher(c.env).put(parsed.output));
  return answer(c, r, r.ok && r.created ? 201 : 200);
});

api.delete('/items/:slug', async (c) => answer(c, await write<PublishResult | PublishConflict>(publisher(c.env).remove(slugParam(c)))));

const IMPORT_MAX = 200;

// An archive migration: up to IMPORT_MAX items a request, oldest first, each rendered document written once.
api.post('/import', async (c) => {
  const body = await readJson(c);
  const items = (body as { items?: unknown })?.items;
  if (!Array.isArray(items)) throw badRequest('items', 'must be a list of items');
  if (items.length < 1 || items.length > IMPORT_MAX) throw badRequest('items', `must hold 1 to ${IMPORT_MAX} items`);
  const parsed = v.safeParse(v.array(ItemInput), items);
  if (!parsed.success) {
    const p = invalid(parsed.issues);
    const field = `items${p.extra.field as string}`;
    throw new ProblemError(422, 'Invalid item', `${field}: ${parsed.issues[0]?.message}`, { field });
  }
  const r = await write<ImportResult>(publisher(c.env).putMany(parsed.output));
  if (!r.ok) throw new ProblemError(r.status, 'Conflict', `items[${r.index}].${r.detail}`, { field: `items[${r.index}].${r.field}` });
  storeFor(c.env).forget(r.paths, r.slugs);
  return c.json({ imported: r.imported, kvWrites: r.kvWrites, deferred: r.deferred });
});

// Answers once the subscription feeds and home page show the new settings; `pending` counts the
// archive and item rewrites the writer's alarm is still working through.
api.put('/site', async (c) => {
  const parsed = v.safeParse(SiteSettings, await readJson(c));
  if (!parsed.success) throw invalid(parsed.issues);
  const r = await write<SiteResult>(publisher(c.env).putSite(parsed.output));
  settle(c, r);
  return c.json({ changed: r.changed, kvWrites: r.kvWrites, pending: r.pending });
});
