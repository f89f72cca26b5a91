// Wiring only: the Hono app for requests, the writer on a schedule, and the edge-cache purge entrypoint.
import { WorkerEntrypoint } from 'cloudflare:workers';
import { app } from './app';
import { purgeEdge, type EdgeCachePurger, type PurgeRequest } from './http/edge-cache';
import { publisher } from './routes/api-support';

export { Publisher } from './publish/publisher';

export default class Wirefeed extends WorkerEntrypoint<Env> implements EdgeCachePurger {
  override fetch(request: Request): Response | Promise<Response> {
    return app.fetch(request, this.env, this.ctx);
  }

  /** The Cron Trigger: the writer releases what is due and notices a new render version without a publish. */
  override async scheduled(): Promise<void> {
    await publisher(this.env).tick();
  }

  /** Called by the writer through the EDGE_CACHE binding: purges this entrypoint's Workers Cache. */
  async purge(request: PurgeRequest) {
    return purgeEdge(request);
  }
}
