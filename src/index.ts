// Wiring only: the gateway (the default export, uncached), the cached Documents entrypoint, the cron, and the edge-cache purge.
import { WorkerEntrypoint } from 'cloudflare:workers';
import { app } from './app';
import { count, tapFor, type Seen } from './audience/count';
import { countsToWriter } from './audience/counts-to-writer';
import { rollup } from './audience/rollup';
import { counting } from './audience/sink';
import { partnerGate } from './credentials/gate';
import { purgeEdge, type EdgeCachePurger, type PurgeRequest } from './http/edge-cache';
import { publisher } from './routes/api-support';
import { answerDownload } from './routes/downloads';
import { BEACON, DOWNLOAD_PREFIX } from './model/paths';

export { Publisher } from './publish/publisher';
export { Credentials } from './credentials/store';
export { AudienceStore } from './audience/store';

/** What the gateway tells the Documents entrypoint: the partner whose credential it checked, if any. */
export interface DocumentsProps {
  partner?: string;
}

/**
 * The cached entrypoint: the app for every public address, and partner documents for the partner
 * named in ctx.props only. Workers Cache keys its answers on entrypoint, path, query and props, so a
 * copy made for one partner is never a hit for the public (no props) or another partner.
 */
export class Documents extends WorkerEntrypoint<Env, DocumentsProps> implements EdgeCachePurger {
  override fetch(request: Request): Response | Promise<Response> {
    return app.fetch(request, this.env, this.ctx);
  }

  /** Called by the writer through the EDGE_CACHE binding: purges this entrypoint's Workers Cache. */
  async purge(request: PurgeRequest) {
    return purgeEdge(request);
  }
}

/** Where the gateway sends a request: the partner gate, the API, or the cached Documents entrypoint. */
function route(request: Request, path: string, env: Env, ctx: ExecutionContext, seen: Seen): Response | Promise<Response> {
  // The gateway reaches its own Documents entrypoint through ctx.exports (a loopback the cache sits on).
  // Partner documents: the credential is checked here, on every request, before any cache is asked.
  if (path.startsWith('/partners/') || path === '/partners') return partnerGate(request, env, ctx.exports.Documents, seen);
  // Enclosures: answered here, uncached, so every request is seen; the bytes come from the asset server.
  if (path.startsWith(DOWNLOAD_PREFIX) && (request.method === 'GET' || request.method === 'HEAD'))
    return answerDownload(request, env, ctx, seen);
  // The API is answered here, so no cache ever stands in front of it.
  if (path.startsWith('/api/') || path === '/api' || path.startsWith('/api?')) return app.fetch(request, env, ctx);
  // Beacons too: each is a POST that must reach the counting, and a cache would only stand in its way.
  if (path === BEACON || path.startsWith(`${BEACON}?`)) return app.fetch(request, env, ctx);
  return ctx.exports.Documents.fetch(request);
}

/** Logs what failed beside the writer's tick: counting must never fail the cron. */
function failed(what: string, err: unknown): void {
  console.error(`${what} failed`, err instanceof Error ? err.message : err);
}

/**
 * The gateway: runs on every request (its cache is off in wrangler.toml), which a cache hit never does,
 * so it is where feed polls, page views and partner deliveries are counted: after the answer, in waitUntil
 * (as are the beacons of the player and the share control, and podcast downloads, which it answers
 * itself), unless AUDIENCE_SINK is "none".
 */
export default class Wirefeed extends WorkerEntrypoint<Env> {
  override fetch(request: Request): Response | Promise<Response> {
    const url = request.url;
    const path = url.slice(url.indexOf('/', url.indexOf('//') + 2));
    // AUDIENCE_SINK = "none" (or a name that is no sink, logged once): nothing is tapped, so no point, salt or hash is ever made.
    const tap = counting(this.env) ? tapFor(request.method, path) : null;
    if (!tap) return route(request, path, this.env, this.ctx, {});
    const seen: Seen = {};
    return Promise.resolve(route(request, path, this.env, this.ctx, seen)).then((response) => {
      this.ctx.waitUntil(count(this.env, tap, request, response, seen));
      return response;
    });
  }

  /**
   * The Cron Trigger: the writer releases what is due and notices a new render version without a
   * publish; beside it, apart from the writer, the audience rollup folds counted requests into series,
   * then hands each item's totals back to the writer (live counts, at most hourly, at the cron's time).
   */
  override async scheduled(controller: ScheduledController): Promise<void> {
    const at = controller.scheduledTime;
    const [tick, audience] = await Promise.allSettled([publisher(this.env).tick(), rollup(this.env, Date.now())]);
    if (audience.status === 'rejected') failed('audience rollup', audience.reason);
    // With counting off, the totals would be the same as last time: the audience store is left asleep.
    else if (counting(this.env) && tick.status === 'fulfilled' && at >= tick.value.countsDueAt)
      await countsToWriter(this.env, at).catch((err: unknown) => failed('live counts', err));
    if (tick.status === 'rejected') throw tick.reason;
  }
}
