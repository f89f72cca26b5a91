// Partners in the newsroom API: create or change, read, list, delete, and preflight. Credentials and
// the partner documents themselves are served elsewhere (the gateway).
import { vValidator } from '@hono/valibot-validator';
import { revokeAll } from '../credentials/access';
import { Hono, type Context } from 'hono';
import * as v from 'valibot';
import { fieldError } from '../errors';
import { contentHash } from '../model/hash';
import { LIMITS } from '../model/limits';
import { problemOf } from '../model/messages';
import { PartnerId, PartnerInput } from '../model/partner';
import type { PartnerDeleted, PartnerResult } from '../publish/results';
import { invalidBody, objectBody, publisher, refusal, settled, sizeLimit, strictJson, write, type ApiEnv } from './api-support';

/** The partner id from the address, in the slug pattern: 422 naming `id` otherwise. */
function idParam(c: Context<ApiEnv>): string {
  const r = v.safeParse(PartnerId, c.req.param('id') ?? '');
  if (!r.success) throw fieldError(422, 'id', problemOf(r.issues[0]).message);
  return r.output;
}

export const partners = new Hono<ApiEnv>();

partners.get('/', async (c) => c.json({ partners: await write(publisher(c.env).listPartners()) }));

partners.get('/:id', async (c) => {
  const found = await write(publisher(c.env).getPartner(idParam(c)));
  if (!found) throw fieldError(404, 'id', `no partner "${c.req.param('id')}" is stored`);
  return c.json(found);
});

// 201 created, 200 changed (or the same), 202 while its documents are still owed (the writer finishes them).
partners.put(
  '/:id',
  sizeLimit(LIMITS.itemRequestBytes),
  strictJson((raw, c) => (idParam(c), objectBody(raw))),
  vValidator('json', PartnerInput, invalidBody),
  async (c) => {
    const id = idParam(c);
    const sent = c.get('body') as Record<string, unknown>;
    const r = await write<PartnerResult>(publisher(c.env).putPartner(id, c.req.valid('json'), sent, await contentHash(sent)));
    if (!r.ok) throw refusal([r]);
    const { ok: _ok, id: _id, created, changed, hash, ...stats } = r;
    return c.json({ id, created, changed, hash, ...settled(c.env, stats) }, stats.pending ? 202 : created ? 201 : 200);
  },
);

partners.delete('/:id', async (c) => {
  const r = await write<PartnerDeleted>(publisher(c.env).deletePartner(idParam(c)));
  if (!r.ok) throw refusal([r]);
  // Its credentials go with it: a partner created again under this id starts with none.
  await write(revokeAll(c.env, r.id));
  const { ok: _ok, id, ...stats } = r;
  return c.json({ id, deleted: true, ...settled(c.env, stats) }, stats.pending ? 202 : 200);
});

partners.get('/:id/preflight', async (c) => {
  const found = await write(publisher(c.env).partnerPreflight(idParam(c)));
  if (!found) throw fieldError(404, 'id', `no partner "${c.req.param('id')}" is stored`);
  return c.json(found);
});
