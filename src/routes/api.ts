// The newsroom API: bearer-token auth in front of items, site settings, rebuilds and status. Never cached.
import { Hono } from 'hono';
import { timingSafeEqual } from 'hono/utils/buffer';
import type { AppEnv } from '../env';
import { ProblemError, unavailable } from '../errors';
import { admin } from './api-admin';
import { imports, items } from './api-items';

export const api = new Hono<AppEnv>();

api.use('*', async (c, next) => {
  c.header('Cache-Control', 'no-store');
  const expected = c.env.API_TOKEN;
  if (!expected) throw unavailable('The API token is not configured (wrangler secret put API_TOKEN).', 60);
  const m = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('Authorization') ?? '');
  if (!m || !(await timingSafeEqual(m[1] as string, expected))) {
    throw new ProblemError(
      401,
      'Authorization: send "Bearer <token>" with the newsroom token',
      { field: 'Authorization' },
      {
        'WWW-Authenticate': 'Bearer realm="wirefeed"',
      },
    );
  }
  await next();
});

api.route('/items', items);
api.route('/', imports);
api.route('/', admin);
