// The Hono app: one sub-app per feature, one error handler, one answer for what no route takes.
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from './env';
import { ProblemError, problemResponse } from './errors';
import { unrouted } from './http/methods';
import { noSniff } from './http/secure';
import { api } from './routes/api';
import { beacon } from './routes/beacon';
import { meta } from './routes/meta';
import { oembed } from './routes/oembed';
import { documents } from './routes/documents';
import { newsroom } from './routes/newsroom';
import { partnerDocuments } from './routes/partner-documents';

export const app = new Hono<AppEnv>();

// First, so it wraps every answer: documents (warm or cold), problems, the API and the fallbacks.
app.use(noSniff);

app.route('/api', api);
app.route('/', beacon);
app.route('/', oembed);
app.route('/', meta);
// The newsroom's audience page: a shell without data (the charts come from the API with the token).
app.route('/', newsroom);
// Partner documents answer only inside the Documents entrypoint, for the partner its props name.
app.route('/', partnerDocuments);
// Last: it answers every other GET by the URL contract (a 404 for what names nothing).
app.route('/', documents);

// Public routes are GET-only: OPTIONS and other methods end here (preflight, 405), as do API misses.
app.notFound(unrouted);

app.onError((err, c) => {
  if (err instanceof ProblemError) return problemResponse(c, err);
  if (err instanceof HTTPException)
    return problemResponse(c, new ProblemError(err.status, err.message || 'The request could not be handled.'));
  console.error('unhandled', err);
  return problemResponse(c, new ProblemError(500, 'Something failed on our side; it has been logged.'));
});
