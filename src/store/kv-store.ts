// The only module that touches Workers KV: rendered documents and item records, plus the warm cache.
import * as v from 'valibot';
import { StoredItem, type ItemRecord, type Site } from '../model/schema';
import { ProblemError } from '../errors';

/** How a document may be cached: the subscription feed changes often, a full archive page never. */
export type CacheClass = 'current' | 'archive' | 'page' | 'item';

/** Stored beside each body in KV metadata, so one read yields body and validators. */
export interface DocMeta {
  etag: string;
  lastModified: string;
  type: string;
  cache: CacheClass;
}

export interface Doc {
  meta: DocMeta;
  /** Encoded once, when read from KV: a warm answer only copies bytes. */
  body: Uint8Array;
}

const DocMetaSchema = v.object({
  etag: v.string(),
  lastModified: v.string(),
  type: v.string(),
  cache: v.picklist(['current', 'archive', 'page', 'item']),
});

interface Warm {
  doc: Doc;
  at: number;
  /** False when only validators were read (a 304 needs no body). */
  full: boolean;
}

// Per isolate, bounded by entries and bytes; a stale entry stays as a fallback when KV fails.
const warm = new Map<string, Warm>();
const WARM_MAX_ENTRIES = 512;
const WARM_MAX_BYTES = 48 * 1024 * 1024;
let warmBytes = 0;

function drop(key: string) {
  const old = warm.get(key);
  if (old) {
    warmBytes -= old.doc.body.byteLength;
    warm.delete(key);
  }
}

function remember(key: string, doc: Doc, now: number, full = true) {
  drop(key);
  warm.set(key, { doc, at: now, full });
  warmBytes += doc.body.byteLength;
  while (warm.size > WARM_MAX_ENTRIES || warmBytes > WARM_MAX_BYTES) drop(warm.keys().next().value as string);
}

/** A strong validator from the bytes: the first 16 bytes of SHA-256, base64url. */
export async function etagOf(body: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body)));
  const b64 = btoa(String.fromCharCode(...digest.subarray(0, 16)));
  return `"${b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}"`;
}

const validated = new WeakMap<Doc, v.InferOutput<typeof StoredItem> & { meta: DocMeta }>();

const docKey = (path: string) => `doc:${path}`;
const itemKey = (slug: string) => `item:${slug}`;

/** Reads and writes wirefeed's KV namespace; `warmSeconds` bounds how long isolate memory may answer. */
export class KvStore {
  constructor(
    private readonly kv: KVNamespace,
    private readonly warmSeconds: number,
  ) {}

  /**
   * One KV read at most. `wantsBody(meta)` false (a matching conditional request) lets the body
   * stream be dropped unread. Returns null when nothing is stored there.
   */
  async getDocument(path: string, wantsBody: (meta: DocMeta) => boolean = () => true): Promise<Doc | null> {
    return this.read(docKey(path), wantsBody);
  }

  /** The item record behind an item page or oEmbed answer, validated by the one schema. */
  async getItem(slug: string): Promise<{ item: ItemRecord; site: Site; meta: DocMeta } | null> {
    const doc = await this.read(itemKey(slug), () => true);
    if (!doc) return null;
    // A warm document is the same object each time, so it is parsed and validated once.
    let found = validated.get(doc);
    if (!found) {
      const result = v.safeParse(StoredItem, JSON.parse(new TextDecoder().decode(doc.body)));
      if (!result.success) throw new ProblemError(503, 'Service Unavailable', 'A stored item failed validation.', {}, { 'Retry-After': '30' });
      found = { ...result.output, meta: doc.meta };
      validated.set(doc, found);
    }
    return found;
  }

  private async read(key: string, wantsBody: (meta: DocMeta) => boolean): Promise<Doc | null> {
    const now = Date.now();
    const hot = warm.get(key);
    const usable = hot && (hot.full || !wantsBody(hot.doc.meta)) ? hot : undefined;
    if (usable && now - usable.at < this.warmSeconds * 1000) return usable.doc;
    let res: KVNamespaceGetWithMetadataResult<ReadableStream, unknown>;
    try {
      res = await this.kv.getWithMetadata(key, { type: 'stream' });
    } catch (err) {
      if (usable) return usable.doc;
      console.error('KV read failed', key, err);
      throw new ProblemError(503, 'Service Unavailable', 'Storage is not answering; try again shortly.', {}, { 'Retry-After': '10' });
    }
    if (res.value === null) {
      drop(key);
      return null;
    }
    const meta = v.safeParse(DocMetaSchema, res.metadata);
    if (!meta.success) {
      await res.value.cancel();
      if (usable) return usable.doc;
      throw new ProblemError(503, 'Service Unavailable', 'A stored document has no validators.', {}, { 'Retry-After': '30' });
    }
    if (!wantsBody(meta.output)) {
      await res.value.cancel();
      const doc = { meta: meta.output, body: new Uint8Array(0) };
      if (this.warmSeconds > 0) remember(key, doc, now, false);
      return doc;
    }
    const doc = { meta: meta.output, body: new Uint8Array(await new Response(res.value).arrayBuffer()) };
    if (this.warmSeconds > 0) remember(key, doc, now);
    return doc;
  }

  /** Writes a rendered document with its validators. */
  async putDocument(path: string, body: string, meta: Omit<DocMeta, 'etag'>): Promise<void> {
    const full: DocMeta = { ...meta, etag: await etagOf(body) };
    drop(docKey(path));
    await this.kv.put(docKey(path), body, { metadata: full });
  }

  async deleteDocument(path: string): Promise<void> {
    drop(docKey(path));
    await this.kv.delete(docKey(path));
  }

  /** Drops this isolate's warm copies so its next read sees what was just published. */
  forget(paths: readonly string[], slugs: readonly string[] = []): void {
    for (const p of paths) drop(docKey(p));
    for (const s of slugs) drop(itemKey(s));
  }

  /** Stores an item record; its etag changes whenever the record does. */
  async putItem(item: ItemRecord, site: Site, lastModified: string): Promise<void> {
    const body = JSON.stringify({ item, site });
    const meta: DocMeta = { etag: await etagOf(body), lastModified, type: 'application/json', cache: 'item' };
    drop(itemKey(item.slug));
    await this.kv.put(itemKey(item.slug), body, { metadata: meta });
  }

  async deleteItem(slug: string): Promise<void> {
    drop(itemKey(slug));
    await this.kv.delete(itemKey(slug));
  }
}

/** The store for this request's bindings. */
export function storeFor(env: Env): KvStore {
  const seconds = Number(env.WARM_TTL);
  return new KvStore(env.FEEDS, Number.isFinite(seconds) && seconds >= 0 ? seconds : 5);
}
