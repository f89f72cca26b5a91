// The Hono app: one sub-app per feature, one error handler, one not-found answer.
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from './env';
import { ProblemError, notFound, problemResponse } from './errors';
import { api } from './routes/api';
import { feeds } from './routes/feeds';
import { meta } from './routes/meta';
import { oembed } from './routes/oembed';
import { pages } from './routes/pages';

export const app = new Hono<AppEnv>();

app.route('/api', api);
app.route('/', feeds);
app.route('/', pages);
app.route('/', oembed);
app.route('/', meta);

app.notFound((c) => problemResponse(c, notFound()));

app.onError((err, c) => {
  if (err instanceof ProblemError) return problemResponse(c, err);
  if (err instanceof HTTPException)
    return problemResponse(c, new ProblemError(err.status, err.message || 'The request could not be handled.'));
  console.error('unhandled', err);
  return problemResponse(c, new ProblemError(500, 'Something failed on our side; it has been logged.'));
});
