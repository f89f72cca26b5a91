// Keys that stand for people and networks without naming them: hashes with a salt kept for one UTC day.
import { audienceStore } from './access';

const encoder = new TextEncoder();

/** The UTC day of a time, "YYYY-MM-DD": the life of a salt. */
export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

// This isolate's copy of today's salt; a new day asks the store, which makes the day's salt and deletes the old ones.
let cached: { day: string; salt: string } | null = null;

/** Today's salt, made once per UTC day by the audience store and forgotten with the day. */
export async function dailySalt(env: Env, now: number): Promise<string> {
  const day = utcDay(now);
  if (cached?.day === day) return cached.salt;
  const salt = await audienceStore(env).salt(day);
  cached = { day, salt };
  return salt;
}

/** Bytes as lower-case hex. */
export const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

async function hashHex(parts: string[], chars: number): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', encoder.encode(parts.join('\n')));
  return hex(new Uint8Array(digest)).slice(0, chars);
}

/**
 * An IPv6 address's eight groups, lower case without leading zeros ("::" filled with zero groups); null
 * for anything else, and for one that ends in an IPv4 address ("::ffff:192.0.2.1": that is the device).
 */
function ipv6Groups(address: string): string[] | null {
  if (!address.includes(':') || address.includes('.')) return null;
  const parts = address.toLowerCase().split('::');
  if (parts.length > 2) return null;
  const split = (s: string | undefined) => (s ? s.split(':') : []);
  const front = split(parts[0]);
  const back = split(parts[1]);
  const gap = parts.length === 2 ? 8 - front.length - back.length : 0;
  if (gap < 0 || front.length + gap + back.length !== 8) return null;
  const groups = [...front, ...Array<string>(gap).fill('0'), ...back];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return groups.map((g) => g.replace(/^0+(?=.)/, ''));
}

/**
 * The address a visitor is known by for a day: an IPv6 address cut to its /64 (one device keeps its
 * /64 while it rotates privacy addresses: the IAB's podcast rules, 2.1), an IPv4 address as it is.
 */
export function visitorAddress(address: string): string {
  const groups = ipv6Groups(address);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : address;
}

/**
 * A visitor for the day (direct poller, reader, beacon sender, listener): SHA-256 of salt, address
 * (its /64 for IPv6) and User-Agent, cut to 64 bits. Once the salt is gone, no one can tell which
 * address made it, nor match it with another day's.
 */
export const visitorKey = (salt: string, address: string, ua: string): Promise<string> => hashHex([salt, visitorAddress(address), ua], 16);

/** The /24 of an IPv4 address, the /48 of an IPv6 one; "" for anything else. */
export function networkPrefix(address: string): string {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}$/.exec(address);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.0/24`;
  const groups = ipv6Groups(address);
  return groups ? `${groups.slice(0, 3).join(':')}::/48` : '';
}

/**
 * Which network a request came from, coarsely: its autonomous system when Cloudflare says (`as13335`),
 * else a salted hash of its /24 or /48 (`net:…`). Never the address.
 */
export async function networkKey(salt: string, address: string, asn: unknown): Promise<string> {
  if (typeof asn === 'number' && Number.isInteger(asn) && asn > 0) return `as${asn}`;
  return `net:${await hashHex([salt, networkPrefix(address)], 12)}`;
}
