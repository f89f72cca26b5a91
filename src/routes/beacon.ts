// POST /beacon: the embed player's events and the share control's uses, validated, answered 204, counted after.
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { beaconPoints, MAX_BEACON_BYTES, parseBeacon, type Beacon } from '../audience/beacon';
import { optedOut, recordPoints } from '../audience/count';
import { counting } from '../audience/sink';
import { dailySalt, visitorKey } from '../audience/keys';
import { isPerson } from '../audience/user-agents';
import { config } from '../config';
import type { AppEnv } from '../env';
import { fieldError } from '../errors';
import { BEACON } from '../model/paths';
import { StorageError, storeFor } from '../store/kv-store';

// navigator.sendBeacon sends a string as text/plain (no preflight); a JSON Blob is sent as it is typed.
const TYPES = /^(?:text\/plain|application\/json)$/i;

/** The answer to every beacon taken or dropped: nothing to read, nothing to keep. */
const noContent = () => new Response(null, { status: 204, headers: { 'Cache-Control': 'no-store' } });

/** The beacon in the body, or a 4xx naming what is wrong with it. */
async function readBeacon(c: Context<AppEnv>): Promise<Beacon> {
  const type = (c.req.header('Content-Type') ?? 'text/plain').split(';')[0]?.trim() ?? '';
  if (!TYPES.test(type)) throw fieldError(415, 'Content-Type', 'send the beacon as text/plain or application/json');
  let body: unknown;
  try {
    body = JSON.parse(await c.req.text());
  } catch {
    throw fieldError(400, '(body)', 'is not JSON');
  }
  return parseBeacon(body);
}

/** Whether the beacon's item is published now (not withdrawn, not an old address), with a player if it reports player events. */
async function known(c: Context<AppEnv>, b: Beacon): Promise<boolean> {
  const found = await storeFor(c.env).getItem(b.item, (p) => c.executionCtx.waitUntil(p));
  if (!found || !('item' in found.stored) || found.stored.item.slug !== b.item) return false;
  return b.kind === 'share' || found.stored.item.video !== undefined;
}

export const beacon = new Hono<AppEnv>();

beacon.post(
  BEACON,
  async (c, next) => {
    // Asked not to be tracked: answered the same as a counted beacon, and nothing is read or kept.
    if (optedOut(c.req.raw.headers)) return noContent();
    // The player and the item page are ours, so a beacon from a browser comes from our own origin
    // (a sandboxed frame without allow-same-origin sends "null": it is not counted).
    if (c.req.header('Origin') !== new URL(config(c.env).siteUrl).origin)
      throw fieldError(403, 'Origin', 'beacons are taken only from pages of this site');
    await next();
  },
  bodyLimit({
    maxSize: MAX_BEACON_BYTES,
    onError: () => {
      throw fieldError(413, '(body)', `is larger than ${MAX_BEACON_BYTES} bytes`);
    },
  }),
  async (c) => {
    const b = await readBeacon(c);
    try {
      if (!(await known(c, b))) throw fieldError(422, 'item', 'is not a published item with what this beacon reports');
    } catch (err) {
      // Storage not answering is ours, not the sender's: the beacon is dropped (a browser never retries one).
      if (!(err instanceof StorageError)) throw err;
      console.error('audience: beacon dropped,', err.message);
      return noContent();
    }
    const ua = c.req.header('User-Agent') ?? null;
    // A bot's beacon is answered like anyone's, and not counted, as its page views are not; with
    // counting off (AUDIENCE_SINK = "none") no salt or key is made either.
    if (isPerson(ua) && counting(c.env)) {
      const address = c.req.header('CF-Connecting-IP') ?? '';
      const env = c.env;
      c.executionCtx.waitUntil(
        recordPoints(env, async (now) => beaconPoints(b, await visitorKey(await dailySalt(env, now), address, ua ?? ''), now)),
      );
    }
    return noContent();
  },
);
