// The only module that touches Workers KV: rendered documents and item records, plus the warm cache.
import * as v from 'valibot';
import { MAX_KEY_BYTES } from '../model/limits';
import { StoredItem } from '../model/schema';
import { BoundedMap } from './bounded-map';

/** How a document may be cached: the subscription feed changes often, a full archive page almost never. */
export type CacheClass = 'current' | 'archive' | 'page' | 'item';

/** Stored beside each body in KV metadata, so one read yields body and validators. */
export interface DocMeta {
  etag: string;
  lastModified: string;
  type: string;
  cache: CacheClass;
  /** The render version that made the bytes. */
  rv: number;
}

export interface Doc {
  meta: DocMeta;
  /** Encoded once, when read from KV: a warm answer only copies bytes. */
  body: Uint8Array;
}

/** Storage did not answer (or answered with something unusable); not a client's fault. */
export class StorageError extends Error {
  constructor(
    message: string,
    readonly retryAfter = 10,
  ) {
    super(message);
  }
}

const DocMetaSchema = v.object({
  etag: v.string(),
  lastModified: v.string(),
  type: v.string(),
  cache: v.picklist(['current', 'archive', 'page', 'item']),
  rv: v.optional(v.number(), 0),
});

/** KV key of a public document, by path; of an item record, by slug. */
export const docKey = (path: string) => `doc:${path}`;
export const itemKey = (slug: string) => `item:${slug}`;
/** KV key of a partner's document, by path (`/partners/:id/…`): apart from the public ones, served only to that partner. */
export const partnerKey = (path: string) => `partner:${path}`;

interface Warm {
  doc: Doc;
  at: number;
  /** False when only validators were read (a 304 needs no body). */
  full: boolean;
}

// Per isolate, bounded by entries and bytes; a stale entry stays as a fallback when KV fails or is slow.
const warm = new BoundedMap<string, Warm>(512, 48 * 1024 * 1024, (w) => w.doc.body.byteLength);
const drop = (key: string) => warm.delete(key);
const remember = (key: string, doc: Doc, now: number, full: boolean) => warm.set(key, { doc, at: now, full });

/** A strong validator from the bytes: the first 16 bytes of SHA-256, base64url. */
export async function etagOf(body: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body)));
  const b64 = btoa(String.fromCharCode(...digest.subarray(0, 16)));
  return `"${b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}"`;
}

const validated = new WeakMap<Doc, StoredItem>();
const encoder = new TextEncoder();
const TIMED_OUT = Symbol('timed out');

/** How the store waits on KV: how long isolate memory may answer, and how long a read may hold a request. */
export interface StoreOptions {
  warmSeconds: number;
  /** With a stale copy in hand, how long to wait for KV before answering with the copy. */
  staleWaitMs: number;
  /** Without one, how long to wait before answering 503. */
  readTimeoutMs: number;
}

/** Keeps a slow read going after the answer, so it refreshes the warm copy. */
export type WaitUntil = (p: Promise<unknown>) => void;

/** Reads and writes wirefeed's KV namespace. */
export class KvStore {
  constructor(
    private readonly kv: KVNamespace,
    private readonly o: StoreOptions,
  ) {}

  /**
   * One KV read at most. `wantsBody(meta)` false (a matching conditional request) lets the body
   * stream be dropped unread. Returns null when nothing is stored there.
   */
  async getDocument(path: string, wantsBody: (meta: DocMeta) => boolean = () => true, waitUntil?: WaitUntil): Promise<Doc | null> {
    return this.read(docKey(path), wantsBody, waitUntil);
  }

  /** The document at `path` if this isolate holds a fresh enough copy, synchronously; else undefined. */
  peekDocument(path: string, wantsBody: (meta: DocMeta) => boolean = () => true): Doc | undefined {
    const hot = warm.get(docKey(path));
    if (!hot || Date.now() - hot.at >= this.o.warmSeconds * 1000) return undefined;
    return hot.full || !wantsBody(hot.doc.meta) ? hot.doc : undefined;
  }

  /** The item record behind an item page or oEmbed answer (or where a renamed item went), validated by the one schema. */
  async getItem(slug: string, waitUntil?: WaitUntil): Promise<{ stored: StoredItem; meta: DocMeta } | null> {
    const doc = await this.read(itemKey(slug), () => true, waitUntil);
    if (!doc) return null;
    // A warm document is the same object each time, so it is parsed and validated once.
    let stored = validated.get(doc);
    if (!stored) {
      const result = v.safeParse(StoredItem, JSON.parse(new TextDecoder().decode(doc.body)));
      if (!result.success) throw new StorageError('A stored item failed validation.', 30);
      stored = result.output;
      validated.set(doc, stored);
    }
    return { stored, meta: doc.meta };
  }

  private async read(key: string, wantsBody: (meta: DocMeta) => boolean, waitUntil?: WaitUntil): Promise<Doc | null> {
    // KV refuses keys over 512 bytes: nothing can be stored under one, so it is not asked for.
    if (key.length * 3 > MAX_KEY_BYTES && encoder.encode(key).byteLength > MAX_KEY_BYTES) return null;
    const now = Date.now();
    const hot = warm.get(key);
    const usable = hot && (hot.full || !wantsBody(hot.doc.meta)) ? hot : undefined;
    if (usable && now - usable.at < this.o.warmSeconds * 1000) return usable.doc;
    const fresh = this.fetch(key, wantsBody, now);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<typeof TIMED_OUT>(
      (r) => (timer = setTimeout(() => r(TIMED_OUT), usable ? this.o.staleWaitMs : this.o.readTimeoutMs)),
    );
    const winner = await Promise.race([fresh.catch((err: unknown) => err as Error), timeout]);
    if (timer !== undefined) clearTimeout(timer);
    if (winner === TIMED_OUT || winner instanceof Error) {
      waitUntil?.(fresh.catch(() => undefined));
      if (usable) return usable.doc;
      console.error('KV read failed', key, winner === TIMED_OUT ? 'timed out' : winner);
      throw winner instanceof StorageError ? winner : new StorageError('Storage is not answering; try again shortly.');
    }
    return winner;
  }

  private async fetch(key: string, wantsBody: (meta: DocMeta) => boolean, now: number): Promise<Doc | null> {
    const res = await this.kv.getWithMetadata(key, { type: 'stream' });
    if (res.value === null) {
      drop(key);
      return null;
    }
    const meta = v.safeParse(DocMetaSchema, res.metadata);
    if (!meta.success) {
      await res.value.cancel();
      throw new StorageError('A stored document has no validators.', 30);
    }
    const full = wantsBody(meta.output);
    if (!full) {
      await res.value.cancel();
      // The warm copy with a body is still current: keep it (it is the fallback if KV fails later).
      const hot = warm.get(key);
      if (hot?.full && hot.doc.meta.etag === meta.output.etag) {
        hot.at = now;
        return hot.doc;
      }
    }
    const doc = { meta: meta.output, body: full ? new Uint8Array(await new Response(res.value).arrayBuffer()) : new Uint8Array(0) };
    if (this.o.warmSeconds > 0) remember(key, doc, now, full);
    return doc;
  }

  /** Writes a document or item record under its key, with its validators. */
  async put(key: string, body: string, meta: DocMeta): Promise<void> {
    drop(key);
    await this.kv.put(key, body, { metadata: meta });
  }

  async delete(key: string): Promise<void> {
    drop(key);
    await this.kv.delete(key);
  }

  /** Drops this isolate's warm copies so its next read sees what was just published. */
  forget(keys: readonly string[]): void {
    for (const k of keys) drop(k);
  }
}

const stores = new WeakMap<object, KvStore>();

/** A var as a non-negative number, or `fallback` when it is unset or not one. */
function nonNegative(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

/** The store for a set of bindings, made once per bindings object. */
export function storeFor(env: Pick<Env, 'FEEDS' | 'WARM_TTL' | 'KV_STALE_WAIT_MS' | 'KV_READ_TIMEOUT_MS'>): KvStore {
  let store = stores.get(env);
  if (!store) {
    store = new KvStore(env.FEEDS, {
      warmSeconds: nonNegative(env.WARM_TTL, 5),
      staleWaitMs: nonNegative(env.KV_STALE_WAIT_MS, 250),
      readTimeoutMs: nonNegative(env.KV_READ_TIMEOUT_MS, 5000),
    });
    stores.set(env, store);
  }
  return store;
}
