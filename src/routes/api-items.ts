// Items in the newsroom API: list, read, publish or schedule, edit, rename, withdraw, and import.
import { Hono, type Context } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../env';
import { badRequest, fieldError, invalidFields } from '../errors';
import { contentHash } from '../model/hash';
import { LIMITS } from '../model/limits';
import { problemsOf, type FieldProblem } from '../model/messages';
import { ItemInput, SLUG_PATTERN } from '../model/schema';
import type { ImportResult, PublishResult, Rejection } from '../publish/results';
import { publisher, readJson, refusal, settled, sizeLimit, write } from './api-support';

function slugParam(c: Context<AppEnv>): string {
  const slug = c.req.param('slug') ?? '';
  if (slug.length > LIMITS.slug) throw fieldError(422, 'slug', `must be at most ${LIMITS.slug} characters`);
  if (!SLUG_PATTERN.test(slug))
    throw fieldError(422, 'slug', 'must be lowercase letters a-z, digits and single hyphens, such as "harbour-drill"');
  return slug;
}

/**
 * An item body as the writer takes it: `meta` (what GET adds) is dropped, the slug comes from the
 * address. The hash is of exactly what was sent, so a sync client can tell whether a file changed.
 * `prefix` names the item within a larger body ("items[3]").
 */
async function itemBody(raw: unknown, slug: string | undefined, prefix = ''): Promise<{ input: ItemInput; hash: string } | FieldProblem[]> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    if (!prefix) throw badRequest('(body)', 'must be a JSON object');
    return [{ field: prefix, message: 'must be a JSON object' }];
  }
  const { meta: _meta, ...fields } = raw as Record<string, unknown>;
  if (slug !== undefined) {
    if (fields.slug !== undefined && fields.slug !== slug) {
      throw badRequest('slug', `must match the address (${slug}); to rename, PUT to the new slug with the item's id`);
    }
    fields.slug = slug;
  }
  const parsed = v.safeParse(ItemInput, fields);
  if (!parsed.success) return problemsOf(parsed.issues, prefix);
  return { input: parsed.output, hash: await contentHash(fields) };
}

/** The answer to a write: 201 created, 202 when KV writes are still owed (the writer finishes them), else 200. */
function answer(c: Context<AppEnv>, r: PublishResult | Rejection): Response {
  if (!r.ok) throw refusal([r]);
  const { ok: _ok, ...rest } = r;
  const body = { ...settled(c, rest), id: r.id, slug: r.slug, state: r.state, created: r.created, changed: r.changed, etag: r.etag };
  return c.json(body, r.pending ? 202 : r.created ? 201 : 200, { ETag: r.etag });
}

export const items = new Hono<AppEnv>();
/** POST /api/import, beside /api/items. */
export const imports = new Hono<AppEnv>();

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

items.put('/:slug', sizeLimit(LIMITS.itemRequestBytes), async (c) => {
  const body = await itemBody(await readJson(c), slugParam(c));
  if (Array.isArray(body)) throw invalidFields(body);
  return answer(c, await write<PublishResult | Rejection>(publisher(c.env).put(body.input, body.hash, c.req.header('If-Match'))));
});

items.delete('/:slug', async (c) =>
  answer(c, await write<PublishResult | Rejection>(publisher(c.env).remove(slugParam(c), c.req.header('If-Match')))),
);

// An archive migration or a sync: up to LIMITS.importItems items, oldest first, all or none. Every
// problem is listed (with its index and slug), so a client can drop the bad ones and send the rest.
imports.post('/import', sizeLimit(LIMITS.importRequestBytes), async (c) => {
  const raw = (await readJson(c)) as { items?: unknown };
  const list = raw && typeof raw === 'object' ? raw.items : undefined;
  if (!Array.isArray(list)) throw badRequest('items', 'must be a list of items');
  if (list.length < 1 || list.length > LIMITS.importItems) throw fieldError(413, 'items', `must hold 1 to ${LIMITS.importItems} items`);
  const parsed = await Promise.all(list.map((x, i) => itemBody(x, undefined, `items[${i}]`)));
  const errors = parsed.flatMap((p, index) =>
    Array.isArray(p) ? p.map((e) => ({ ...e, index, slug: (list[index] as { slug?: unknown })?.slug ?? null })) : [],
  );
  if (errors.length) throw invalidFields(errors);
  const inputs = parsed as { input: ItemInput; hash: string }[];
  const r = await write<ImportResult>(publisher(c.env).putMany(inputs));
  if (!r.ok) throw refusal(r.rejections.map((x) => ({ ...x, slug: inputs[x.index]?.input.slug })));
  const { ok: _ok, items: outcomes, ...stats } = r;
  return c.json({ ...settled(c, stats), items: outcomes }, r.pending ? 202 : 200);
});
