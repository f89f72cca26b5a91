// The writer as a whole in the newsroom API: site settings, rebuilds, and its status.
import { vValidator } from '@hono/valibot-validator';
import { Hono } from 'hono';
import { contentHash } from '../model/hash';
import { SiteSettings } from '../model/schema';
import { LIMITS } from '../model/limits';
import { invalidBody, objectBody, publisher, settled, sizeLimit, strictJson, write, type ApiEnv } from './api-support';

export const admin = new Hono<ApiEnv>();

admin.get('/site', async (c) => {
  const { settings, hash } = await write(publisher(c.env).getSite());
  return c.json({ site: settings, meta: { hash } });
});

// Answers once the home page and subscription feeds show the new settings; `rebuild` says how much of
// the rest (archives, item pages) the writer's alarm is still working through.
admin.put(
  '/site',
  sizeLimit(LIMITS.itemRequestBytes),
  strictJson((raw) => objectBody(raw)),
  vValidator('json', SiteSettings, invalidBody),
  async (c) => {
    const r = await write(publisher(c.env).putSite(c.req.valid('json'), await contentHash(c.get('body'))));
    const { changed, rebuild, ...stats } = r;
    return c.json({ changed, rebuild, ...settled(c.env, stats) }, stats.pending ? 202 : 200);
  },
);

admin.post('/rebuild', async (c) => c.json(await write(publisher(c.env).rebuild()), 202));
admin.get('/rebuild', async (c) => c.json((await write(publisher(c.env).status())).render));
admin.get('/status', async (c) => c.json(await write(publisher(c.env).status())));
