// The writer as a whole in the newsroom API: site settings, rebuilds, and its status.
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../env';
import { badRequest, invalid } from '../errors';
import { contentHash } from '../model/hash';
import { SiteSettings } from '../model/schema';
import { LIMITS } from '../model/limits';
import { publisher, readJson, settled, sizeLimit, write } from './api-support';

export const admin = new Hono<AppEnv>();

admin.get('/site', async (c) => {
  const { settings, hash } = await write(publisher(c.env).getSite());
  return c.json({ site: settings, meta: { hash } });
});

// Answers once the home page and subscription feeds show the new settings; `rebuild` says how much of
// the rest (archives, item pages) the writer's alarm is still working through.
admin.put('/site', sizeLimit(LIMITS.itemRequestBytes), async (c) => {
  const raw = await readJson(c);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw badRequest('(body)', 'must be a JSON object');
  const { meta: _meta, ...fields } = raw as Record<string, unknown>;
  const parsed = v.safeParse(SiteSettings, fields);
  if (!parsed.success) throw invalid(parsed.issues);
  const r = await write(publisher(c.env).putSite(parsed.output, await contentHash(fields)));
  const { changed, rebuild, ...stats } = r;
  return c.json({ changed, rebuild, ...settled(c, stats) }, stats.pending ? 202 : 200);
});

admin.post('/rebuild', async (c) => c.json(await write(publisher(c.env).rebuild()), 202));
admin.get('/rebuild', async (c) => c.json((await write(publisher(c.env).status())).render));
admin.get('/status', async (c) => c.json(await write(publisher(c.env).status())));
