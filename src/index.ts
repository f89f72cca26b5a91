// Wiring only: the gateway (the default export, uncached), the cached Documents entrypoint, the cron, and the edge-cache purge.
import { WorkerEntrypoint } from 'cloudflare:workers';
import { app } from './app';
import { partnerGate } from './credentials/gate';
import { purgeEdge, type EdgeCachePurger, type PurgeRequest } from './http/edge-cache';
import { publisher } from './routes/api-support';

export { Publisher } from './publish/publisher';
export { Credentials } from './credentials/store';

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

/** The gateway: runs on every request (its cache is off in wrangler.toml), which a cache hit never does. */
export default class Wirefeed extends WorkerEntrypoint<Env> {
  override fetch(request: Request): Response | Promise<Response> {
    const url = request.url;
    const path = url.slice(url.indexOf('/', url.indexOf('//') + 2));
    // The gateway reaches its own Documents entrypoint through ctx.exports (a loopback the cache sits on).
    // Partner documents: the credential is checked here, on every request, before any cache is asked.
    if (path.startsWith('/partners/') || path === '/partners') return partnerGate(request, this.env, this.ctx.exports.Documents);
    // The API is answered here, so no cache ever stands in front of it.
    if (path.startsWith('/api/') || path === '/api' || path.startsWith('/api?')) return app.fetch(request, this.env, this.ctx);
    return this.ctx.exports.Documents.fetch(request);
  }

  /** The Cron Trigger: the writer releases what is due and notices a new render version without a publish. */
  override async scheduled(): Promise<void> {
    await publisher(this.env).tick();
  }
}
