// The gateway's counting hook: after the answer, through waitUntil, never into it.
import { partnerAddress } from '../routes/partner-documents';
import { DOWNLOAD_PREFIX, resolvePath } from '../model/paths';
import { isFirstTwoBytes, isNotListener, requestedBytes } from './download-rules';
import { dailySalt, networkKey, visitorKey } from './keys';
import type { AudiencePoint } from './points';
import { sinkFor } from './sink';
import { classifyAgent } from './user-agents';

/** What a request may be counted as, decided from its method and path before it is answered. */
export type Tap =
  { kind: 'poll' | 'view'; key: string } | { kind: 'delivery'; partner: string; doc: string } | { kind: 'download'; doc: string };

/** The tap for a request, or null for everything that is never counted (the API, assets, HEAD, …). */
export function tapFor(method: string, path: string): Tap | null {
  if (method !== 'GET') return null;
  const q = path.indexOf('?');
  const pathname = q < 0 ? path : path.slice(0, q);
  if (pathname.startsWith('/partners/')) {
    // The whole path: a page of items.json is its own document (?page=).
    const address = partnerAddress(new URL(path, 'http://x'));
    return address?.doc ? { kind: 'delivery', partner: address.partner, doc: address.doc } : null;
  }
  // The enclosure's path; which item and file it names, the route finds out (Seen.download).
  if (pathname.startsWith(DOWNLOAD_PREFIX)) return { kind: 'download', doc: pathname };
  const target = resolvePath(pathname);
  if (target?.role === 'feed') return { kind: 'poll', key: target.path };
  if (target?.role === 'item') return { kind: 'view', key: target.path.slice(target.path.lastIndexOf('/') + 1) };
  return null;
}

/**
 * What the gateway learnt while answering: the credential that opened a partner document; the item
 * (live slug) and file a download route handed over, with its size and the bytes of one minute of it.
 */
export interface Seen {
  credential?: string;
  download?: { key: string; size: number; minute: number };
}

/** Whether the browser asked not to be tracked (Do Not Track, Global Privacy Control): its page views and beacons are not counted. */
export const optedOut = (h: Headers): boolean => h.get('DNT') === '1' || h.get('Sec-GPC') === '1';

/** The data point a request makes, or null when it is not counted (a bot, a 404, a refusal). */
export async function pointFor(
  env: Env,
  tap: Tap,
  request: Request,
  response: Response,
  seen: Seen,
  now: number,
): Promise<AudiencePoint | null> {
  const status = response.status;
  const ua = request.headers.get('User-Agent');
  const address = request.headers.get('CF-Connecting-IP') ?? '';
  const base = { at: now, source: '', doc: '', etag: '', visitor: '', status, subscribers: 0, bytes: 0, minute: 0 };
  if (tap.kind === 'download') return downloadPoint(env, tap.doc, request, response, seen, base);
  if (tap.kind === 'delivery') {
    if ((status !== 200 && status !== 304) || !seen.credential) return null;
    const salt = await dailySalt(env, now);
    const network = await networkKey(salt, address, (request.cf as { asn?: unknown } | undefined)?.asn);
    const etag = response.headers.get('ETag') ?? '';
    return { ...base, kind: 'delivery', key: tap.partner, source: seen.credential, doc: tap.doc, etag, visitor: network };
  }
  const agent = classifyAgent(ua);
  if (tap.kind === 'view') {
    if (status !== 200 || agent.type !== 'other' || optedOut(request.headers)) return null;
    // The visitor's daily key, so the rollup counts one view a day per person and item, however often they reload.
    return { ...base, kind: 'view', key: tap.key, visitor: await visitorKey(await dailySalt(env, now), address, ua ?? '') };
  }
  if ((status !== 200 && status !== 304) || agent.type === 'bot') return null;
  if (agent.type === 'aggregator') return { ...base, kind: 'poll', key: tap.key, source: agent.name, subscribers: agent.subscribers };
  const visitor = await visitorKey(await dailySalt(env, now), address, ua ?? '');
  return { ...base, kind: 'poll', key: tap.key, visitor };
}

/**
 * A request for an enclosure, as the IAB's podcast rules take it (GET only, which tapFor already
 * decided): the file handed over (200, 206) or pointed to (302), not a 304 or 416; not the first two
 * bytes alone; not a bot's. Whether it makes a download is the rollup's to decide, once the day's bytes reach a minute.
 * DNT and Sec-GPC are not asked: a download is counted from the request the file is served for, as
 * every IAB host counts it, and keeps nothing of the listener but a key that dies with the day.
 */
async function downloadPoint(
  env: Env,
  doc: string,
  request: Request,
  response: Response,
  seen: Seen,
  base: Omit<AudiencePoint, 'kind' | 'key'>,
): Promise<AudiencePoint | null> {
  const file = seen.download;
  const status = response.status;
  if (!file || (status !== 200 && status !== 206 && status !== 302)) return null;
  const ua = request.headers.get('User-Agent');
  const range = request.headers.get('Range');
  if (isNotListener(ua) || isFirstTwoBytes(range)) return null;
  // What was asked for, as the IAB reads a log: a 302 hands nothing over, and several ranges answered
  // with the whole file (as a server may) are still only what the player meant to read.
  const bytes = requestedBytes(range, file.size);
  if (bytes <= 0) return null;
  // The listener's key, as every visitor's: an IPv6 address by its /64 (the IAB, 2.1).
  const visitor = await visitorKey(await dailySalt(env, base.at), request.headers.get('CF-Connecting-IP') ?? '', ua ?? '');
  return { ...base, kind: 'download', key: file.key, doc, visitor, bytes, minute: file.minute };
}

// A failing sink is logged once per isolate until it works again, not once per request.
let failing = false;

/**
 * Counts one answered request. Never throws: whatever fails (the salt, the sink, a bad setting) is
 * logged and the request stays answered.
 */
export function count(env: Env, tap: Tap, request: Request, response: Response, seen: Seen): Promise<void> {
  return recordPoints(env, async (now) => {
    const point = await pointFor(env, tap, request, response, seen, now);
    return point ? [point] : [];
  });
}

/**
 * Makes the points for now and hands them to the sink (the gateway's taps, the beacon route). Never
 * throws: whatever fails is logged, once until it works again.
 */
export async function recordPoints(env: Env, make: (now: number) => Promise<readonly AudiencePoint[]>): Promise<void> {
  try {
    // The sink first: a setting that names none throws before a salt is asked for or a key hashed.
    const sink = sinkFor(env);
    const points = await make(Date.now());
    if (points.length) await sink.write(points);
    failing = false;
  } catch (err) {
    if (!failing) console.error('audience: counting failed', err instanceof Error ? err.message : String(err));
    failing = true;
  }
}
