// The newsroom API: bearer-token auth in front of items, site settings, rebuilds and status. Never cached.
import { Hono } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { timingSafeEqual } from 'hono/utils/buffer';
import type { AppEnv } from '../env';
import { ProblemError, unavailable } from '../errors';
import { admin } from './api-admin';
import { partnerCredentials } from './api-credentials';
import { imports, items } from './api-items';
import { partners } from './api-partners';
import { stats } from './api-stats';
import { statsCharts } from './api-stats-charts';

export const api = new Hono<AppEnv>();

/**
 * Every refusal is the same 401 problem naming the header: a missing header, another scheme
 * ("Basic …", which bearerAuth would answer 400) and a wrong token are one failure to the client.
 */
const refuse = (): never => {
  throw new ProblemError(
    401,
    'Authorization: send "Bearer <token>" with the newsroom token',
    { field: 'Authorization' },
    { 'WWW-Authenticate': 'Bearer realm="wirefeed"' },
  );
};

api.use('*', async (c, next) => {
  c.header('Cache-Control', 'no-store');
  if (!c.env.API_TOKEN) throw unavailable('The API token is not configured (wrangler secret put API_TOKEN).', 60);
  await next();
});

// The token is a secret binding, so it is compared per request (in constant time) rather than fixed here.
api.use(
  '*',
  bearerAuth<AppEnv>({
    verifyToken: (token, c) => timingSafeEqual(token, c.env.API_TOKEN),
    noAuthenticationHeader: { message: refuse },
    invalidAuthenticationHeader: { message: refuse },
    invalidToken: { message: refuse },
  }),
);

api.route('/items', items);
api.route('/partners', partners);
api.route('/', imports);
api.route('/', admin);
api.route('/', partnerCredentials);
api.route('/', stats);
api.route('/', statsCharts);
