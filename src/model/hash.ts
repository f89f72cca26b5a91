// Content hashes: the same JSON value, whatever the order of its keys, hashes the same here and in the CLI.

/** JSON with object keys sorted, so equal values serialise equally. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** SHA-256 of the canonical JSON, hex, the first 32 digits: what `GET /api/items` calls an item's hash. */
export async function contentHash(value: unknown): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical(value))));
  return [...digest.subarray(0, 16)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * A fast synchronous 64-bit FNV-1a of a string, as 16 hex digits: for validators computed inside the
 * writer's transactions, where an await would let other work in. Not for anything adversarial.
 */
export function quickHash(s: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
  }
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

/** An RFC 9562 UUIDv5 (SHA-1, name-based) of `name` in the namespace given as 32 hex digits. */
export async function uuidV5(namespaceHex: string, name: string): Promise<string> {
  const ns = (namespaceHex.match(/../g) ?? []).map((h) => parseInt(h, 16));
  const bytes = new Uint8Array(await crypto.subtle.digest('SHA-1', new Uint8Array([...ns, ...new TextEncoder().encode(name)]))).slice(
    0,
    16,
  );
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
