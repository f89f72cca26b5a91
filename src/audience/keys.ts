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

async function hashHex(parts: string[], chars: number): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', encoder.encode(parts.join('\n')));
  let hex = '';
  for (const b of new Uint8Array(digest)) hex += b.toString(16).padStart(2, '0');
  return hex.slice(0, chars);
}

/**
 * A direct poller for the day: SHA-256 of salt, address and User-Agent, cut to 64 bits. Once the salt
 * is gone, no one can tell which address made it, nor match it with another day's.
 */
export const visitorKey = (salt: string, address: string, ua: string): Promise<string> => hashHex([salt, address, ua], 16);

/** The /24 of an IPv4 address, the /48 of an IPv6 one; "" for anything else. */
export function networkPrefix(address: string): string {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}$/.exec(address);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.0/24`;
  if (!address.includes(':')) return '';
  const [head = '', tail] = address.toLowerCase().split('::');
  const groups = head ? head.split(':') : [];
  // "2001:db8::1" has its /48 in the head once the gap is filled with zero groups.
  if (tail !== undefined) while (groups.length < 3) groups.push('0');
  return groups.length >= 3
    ? `${groups
        .slice(0, 3)
        .map((g) => g.replace(/^0+(?=.)/, ''))
        .join(':')}::/48`
    : '';
}

/**
 * Which network a request came from, coarsely: its autonomous system when Cloudflare says (`as13335`),
 * else a salted hash of its /24 or /48 (`net:…`). Never the address.
 */
export async function networkKey(salt: string, address: string, asn: unknown): Promise<string> {
  if (typeof asn === 'number' && Number.isInteger(asn) && asn > 0) return `as${asn}`;
  return `net:${await hashHex([salt, networkPrefix(address)], 12)}`;
}
