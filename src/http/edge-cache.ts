// Workers Cache in front of the Worker: the Cache-Tags every public answer carries, and the purge the
// writer asks for (through the EDGE_CACHE binding) once KV holds what it rewrote.
import { cache } from 'cloudflare:workers';
import { docKey, itemKey } from '../store/kv-store';

/** A purge request: documents by tag, or everything (after a full rebuild). */
export interface PurgeRequest {
  tags?: string[];
  everything?: boolean;
}

/** How a purge went; `errors` is empty on success. */
export interface PurgeResult {
  success: boolean;
  errors: string[];
}

/**
 * What the writer's EDGE_CACHE binding offers. In production it is this Worker's own default
 * entrypoint (a purge only reaches the cache of the entrypoint that asks); tests bind a recorder.
 */
export interface EdgeCachePurger {
  purge(request: PurgeRequest): Promise<PurgeResult>;
}

/**
 * Cache-Tag header value for a public answer: its document's KV key, which is what the writer purges
 * when it rewrites that key. Only tags something purges are worth sending (a scope tag was, once).
 */
export const cacheTags = (path: string): string => docKey(path);

/** Cache-Tag for an oEmbed answer: the item record it was built from. */
export const oembedTags = (slug: string) => itemKey(slug);

// Cloudflare's purge takes at most 100 tags a call.
const TAGS_PER_CALL = 100;

/**
 * Purges this entrypoint's Workers Cache. Where the runtime has none (Miniflare, wrangler dev) it
 * says so instead of failing, so the same code runs everywhere.
 */
export async function purgeEdge(req: PurgeRequest): Promise<PurgeResult> {
  const edge: CacheContext | undefined = typeof cache?.purge === 'function' ? cache : undefined;
  if (!edge) return { success: false, errors: ['no Workers Cache in this runtime'] };
  const calls: CachePurgeOptions[] = req.everything ? [{ purgeEverything: true }] : [];
  const tags = req.tags ?? [];
  for (let i = 0; i < tags.length; i += TAGS_PER_CALL) calls.push({ tags: tags.slice(i, i + TAGS_PER_CALL) });
  const errors: string[] = [];
  for (const options of calls) {
    const r = await edge.purge(options);
    if (!r.success) errors.push(...r.errors.map((e) => `${e.code}: ${e.message}`));
  }
  return { success: errors.length === 0, errors };
}
