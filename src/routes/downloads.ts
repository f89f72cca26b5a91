// The download route the subscription feeds' enclosures point at: names the item and its file, and hands the file over (podcast downloads are counted here).
import type { Seen } from '../audience/count';
import { minuteBytes } from '../audience/download-rules';
import { notFound, problemAnswer, ProblemError, unavailable } from '../errors';
import { partialOf } from '../http/byte-range';
import { withNoSniff } from '../http/secure';
import { downloadTarget, GONE, itemPath, mediaFileName } from '../model/paths';
import type { ItemRecord, Site } from '../model/schema';
import { storeFor, StorageError } from '../store/kv-store';

// What a request for the file carries that the asset server answers by: ranges and validators.
const FORWARDED = ['Range', 'If-Range', 'If-None-Match', 'If-Modified-Since', 'If-Match', 'If-Unmodified-Since', 'Accept-Encoding'];

// Each listener's own cache may keep the file; a shared cache may not answer for it, or the requests
// it answers would never reach the gateway to be counted.
const CACHE_CONTROL = 'private, max-age=86400';

type Video = NonNullable<ItemRecord['video']>;

/** The live item a slug names (following a rename), or why there is none: 404, or 410 for a withdrawn item. */
async function liveItem(env: Env, slug: string, waitUntil: (p: Promise<unknown>) => void): Promise<{ item: ItemRecord; site: Site }> {
  const store = storeFor(env);
  let found = await store.getItem(slug, waitUntil);
  if (found && 'movedTo' in found.stored) found = await store.getItem(found.stored.movedTo, waitUntil);
  if (found && 'item' in found.stored) return found.stored;
  // A withdrawn video's page answers 410; so does its enclosure.
  const page = await store.getDocument(itemPath('video', slug), () => false, waitUntil);
  if (page?.meta.type === GONE) throw new ProblemError(410, 'slug: this item was withdrawn; its file is no longer offered.');
  throw notFound('slug: no item is published at that address.');
}

/**
 * The file's own answer from the asset server (HEAD, 304, its validators as it gives them), with our
 * cache rule. The asset server answers a Range with the whole file (the asset worker Miniflare runs,
 * Cloudflare's workers-shared code, has no ranges), so one range is cut from that here: podcast apps
 * stream and resume by range. Should it answer 206 itself one day, that passes as it is. The file's
 * size is the answer's Content-Length, else the item's own (the enclosure's length).
 */
async function fromAssets(env: Env, request: Request, url: URL, declaredSize: number): Promise<Response> {
  const headers = new Headers();
  for (const name of FORWARDED) {
    const value = request.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  const res = await env.ASSETS.fetch(new Request(new URL(url.pathname, request.url), { method: request.method, headers }));
  if (res.status === 404) {
    await res.body?.cancel();
    throw notFound('file: the item names a file the site does not hold.');
  }
  const size = Number(res.headers.get('Content-Length')) || declaredSize;
  const answer = partialOf(request, res, size) ?? new Response(res.body, res);
  answer.headers.set('Cache-Control', CACHE_CONTROL);
  answer.headers.set('Accept-Ranges', 'bytes');
  return answer;
}

/**
 * Answers GET or HEAD `/download/<slug>/<file>`: the item's own file when the name matches (from the
 * asset server when it is one of the site's media, else a 302 to where it lives); 404 for what names
 * nothing, 410 for a withdrawn item, problem+json either way. What the count needs is left in `seen`.
 */
export async function answerDownload(request: Request, env: Env, ctx: ExecutionContext, seen: Seen): Promise<Response> {
  // Every answer of the route, as every answer of the app: no content sniffing.
  return withNoSniff(await answer(request, env, ctx, seen));
}

async function answer(request: Request, env: Env, ctx: ExecutionContext, seen: Seen): Promise<Response> {
  try {
    const path = new URL(request.url).pathname;
    const target = downloadTarget(path);
    if (!target) throw notFound('slug: no item is published at that address.');
    const { item, site } = await liveItem(env, target.slug, (p) => ctx.waitUntil(p));
    const video: Video | undefined = item.video;
    if (!video || !sameName(mediaFileName(video.url), target.file)) throw notFound(`file: the item has no file called "${target.file}".`);
    const url = new URL(video.url, site.url.endsWith('/') ? site.url : `${site.url}/`);
    seen.download = { key: item.slug, size: video.size, minute: minuteBytes(video.size, video.duration) };
    if (url.origin === new URL(site.url).origin) return await fromAssets(env, request, url, video.size);
    const headers = { Location: url.toString(), 'Cache-Control': 'no-store' };
    return new Response(null, { status: 302, headers });
  } catch (err) {
    if (err instanceof ProblemError) return problemAnswer(request, err);
    if (err instanceof StorageError) return problemAnswer(request, unavailable(err.message, err.retryAfter));
    console.error('download failed', err instanceof Error ? err.message : String(err));
    return problemAnswer(request, unavailable('The file could not be handed over; try again shortly.'));
  }
}

/** Two file names, however each was percent-encoded ("far%20away.mp4", "far away.mp4"). */
function sameName(a: string, b: string): boolean {
  const decoded = (x: string) => {
    try {
      return decodeURIComponent(x);
    } catch {
      return x;
    }
  };
  return a === b || decoded(a) === decoded(b);
}
