// Items in the newsroom API: list, read, publish or schedule, edit, rename, withdraw, and import.
import { vValidator } from '@hono/valibot-validator';
import { Hono, type Context } from 'hono';
import * as v from 'valibot';
import { badRequest, fieldError, invalidFields } from '../errors';
import { contentHash } from '../model/hash';
import { LIMITS } from '../model/limits';
import { problemOf } from '../model/messages';
import { ItemInput, SLUG_PATTERN } from '../model/schema';
import type { ImportResult, PublishResult, Rejection } from '../publish/results';
import { invalidBody, objectBody, publisher, refusal, settled, sizeLimit, strictJson, write, type ApiEnv } from './api-support';

function slugParam(c: Context<ApiEnv>): string {
  const slug = c.req.param('slug') ?? '';
  if (slug.length > LIMITS.slug) throw fieldError(422, 'slug', `must be at most ${LIMITS.slug} characters`);
  if (!SLUG_PATTERN.test(slug))
    throw fieldError(422, 'slug', 'must be lowercase letters a-z, digits and single hyphens, such as "harbour-drill"');
  return slug;
}

/**
 * An item body as the writer takes it: `meta` (what GET adds) is dropped, the slug comes from the
 * address. The validator checks this; its hash is of exactly what was sent, so a sync client can
 * tell whether a file changed.
 */
function itemBody(raw: unknown, c: Context<ApiEnv>): Record<string, unknown> {
  const slug = slugParam(c);
  const fields = objectBody(raw);
  if (fields.slug !== undefined && fields.slug !== slug) {
    throw badRequest('slug', `must match the address (${slug}); to rename, PUT to the new slug with the item's id`);
  }
  fields.slug = slug;
  return fields;
}

/** An import's outline: a list of 1 to LIMITS.importItems items, each without `meta`; the schema checks the rest. */
function importBody(raw: unknown): { items: unknown[] } {
  const list = raw && typeof raw === 'object' ? (raw as { items?: unknown }).items : undefined;
  if (!Array.isArray(list)) throw badRequest('items', 'must be a list of items');
  if (list.length < 1 || list.length > LIMITS.importItems) throw fieldError(413, 'items', `must hold 1 to ${LIMITS.importItems} items`);
  return { items: list.map((x) => (isObject(x) ? objectBody(x) : x)) };
}

// A list is an object to valibot, and would be read as an item missing every field: named as one problem instead.
const isObject = (x: unknown) => typeof x === 'object' && x !== null && !Array.isArray(x);
const ImportBody = v.object({ items: v.array(v.pipe(v.custom<unknown>(isObject, 'must be a JSON object'), ItemInput)) });

/** Every problem in every item, named `items[i].field` with the item's index and slug. */
const invalidItems = (result: { success: boolean; issues?: readonly v.BaseIssue<unknown>[] }) => {
  if (result.success) return;
  throw invalidFields(
    (result.issues ?? []).map((issue) => {
      const at = issue.path?.[1];
      const item = at?.value as { slug?: unknown } | undefined;
      return { ...problemOf(issue), index: at?.key as number, slug: item?.slug ?? null };
    }),
  );
};

/** The answer to a write: 201 created, 202 when KV writes are still owed (the writer finishes them), else 200. */
function answer(c: Context<ApiEnv>, r: PublishResult | Rejection): Response {
  if (!r.ok) throw refusal([r]);
  const { ok: _ok, ...rest } = r;
  const body = { ...settled(c.env, rest), id: r.id, slug: r.slug, state: r.state, created: r.created, changed: r.changed, etag: r.etag };
  return c.json(body, r.pending ? 202 : r.created ? 201 : 200, { ETag: r.etag });
}

export const items = new Hono<ApiEnv>();
/** POST /api/import, beside /api/items. */
export const imports = new Hono<ApiEnv>();

items.get('/', async (c) => {
  const after = c.req.query('after') ?? '';
  const limit = Math.min(1000, Math.max(1, Number(c.req.query('limit') ?? 1000) || 1000));
  const page = await write(publisher(c.env).list(after, limit));
  return c.json({ items: page, next: page.length === limit ? (page[page.length - 1]?.slug ?? null) : null });
});

items.get('/:slug', async (c) => {
  const found = await write(publisher(c.env).get(slugParam(c)));
  if (!found) throw fieldError(404, 'slug', `no item "${c.req.param('slug')}" is stored`);
  return c.json(found, 200, { ETag: found.meta.etag });
});

items.put('/:slug', sizeLimit(LIMITS.itemRequestBytes), strictJson(itemBody), vValidator('json', ItemInput, invalidBody), async (c) => {
  const hash = await contentHash(c.get('body'));
  return answer(c, await write<PublishResult | Rejection>(publisher(c.env).put(c.req.valid('json'), hash, c.req.header('If-Match'))));
});

items.delete('/:slug', async (c) =>
  answer(c, await write<PublishResult | Rejection>(publisher(c.env).remove(slugParam(c), c.req.header('If-Match')))),
);

// An archive migration or a sync: up to LIMITS.importItems items, oldest first, all or none. Every
// problem is listed (with its index and slug), so a client can drop the bad ones and send the rest.
imports.post(
  '/import',
  sizeLimit(LIMITS.importRequestBytes),
  strictJson(importBody),
  vValidator('json', ImportBody, invalidItems),
  async (c) => {
    const sent = (c.get('body') as { items: unknown[] }).items;
    const hashes = await Promise.all(sent.map((fields) => contentHash(fields)));
    const inputs = c.req.valid('json').items.map((input, i) => ({ input, hash: hashes[i] as string }));
    const r = await write<ImportResult>(publisher(c.env).putMany(inputs));
    if (!r.ok) throw refusal(r.rejections.map((x) => ({ ...x, slug: inputs[x.index]?.input.slug })));
    const { ok: _ok, items: outcomes, ...stats } = r;
    return c.json({ ...settled(c.env, stats), items: outcomes }, r.pending ? 202 : 200);
  },
);
