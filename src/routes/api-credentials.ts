// Partner credentials in the newsroom API: issue (the secret shown once), list (never a secret), revoke.
import { vValidator } from '@hono/valibot-validator';
import { Hono } from 'hono';
import * as v from 'valibot';
import { credentials } from '../credentials/access';
import { CREDENTIAL_TYPES } from '../credentials/types';
import { notFound } from '../errors';
import { absolute } from '../model/paths';
import { SLUG_PATTERN } from '../model/schema';
import { invalidBody, objectBody, publisher, sizeLimit, strictJson, write, type ApiEnv } from './api-support';

const CredentialRequest = v.strictObject(
  { type: v.picklist(CREDENTIAL_TYPES, 'must be "token", "basic" or "bearer"') },
  'must be an object with only "type"',
);

/** The partner's document path (its feed, or its ninjs list), or null when the writer holds no such partner. */
async function partnerDocumentPath(env: Env, id: string): Promise<string | null> {
  if (!SLUG_PATTERN.test(id)) return null;
  const found = await write(publisher(env).getPartner(id));
  if (!found || !('paths' in found.meta)) return null;
  const paths: { items?: string; feed?: string } = found.meta.paths ?? {};
  return paths.items ?? paths.feed ?? null;
}

async function partnerPath(env: Env, id: string): Promise<string> {
  const path = await partnerDocumentPath(env, id);
  if (!path) throw notFound('No partner has this id.');
  return path;
}

export const partnerCredentials = new Hono<ApiEnv>();

partnerCredentials.post(
  '/partners/:id/credentials',
  sizeLimit(1024),
  strictJson((raw) => objectBody(raw)),
  vValidator('json', CredentialRequest, invalidBody),
  async (c) => {
    const id = c.req.param('id');
    const path = await partnerPath(c.env, id);
    const issued = await write(credentials(c.env).issue(id, c.req.valid('json').type));
    const feed = absolute(c.env.SITE_URL, path);
    // Only a token travels in the URL; Basic and Bearer secrets go in the Authorization header.
    const feed_url = issued.type === 'token' ? `${feed}${feed.includes('?') ? '&' : '?'}token=${issued.secret}` : feed;
    const { id: cid, type, secret, username, created } = issued;
    c.header('Location', `/api/partners/${id}/credentials/${cid}`);
    return c.json({ id: cid, type, secret, ...(username ? { username } : {}), feed_url, created }, 201);
  },
);

partnerCredentials.get('/partners/:id/credentials', async (c) => {
  const id = c.req.param('id');
  await partnerPath(c.env, id);
  return c.json({ credentials: await write(credentials(c.env).list(id)) });
});

partnerCredentials.delete('/partners/:id/credentials/:cid', async (c) => {
  const id = c.req.param('id');
  await partnerPath(c.env, id);
  if (!(await write(credentials(c.env).revoke(id, c.req.param('cid'))))) throw notFound('This partner has no credential with this id.');
  return c.body(null, 204);
});
