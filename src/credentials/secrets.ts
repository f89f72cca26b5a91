// Partner secrets: made by the server, kept only as salted hashes, and read from a request in the three forms partners send.
import type { CredentialType } from './types';

const encoder = new TextEncoder();

/** base64url without padding. */
export function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A new secret: 32 random bytes, base64url (43 characters). */
export const newSecret = (): string => base64url(crypto.getRandomValues(new Uint8Array(32)));

/** A new per-credential salt: 16 random bytes. */
export const newSalt = (): Uint8Array => crypto.getRandomValues(new Uint8Array(16));

/** SHA-256 of salt ‖ secret: what is stored in place of the secret. */
export async function hashSecret(salt: Uint8Array, secret: string): Promise<Uint8Array> {
  const s = encoder.encode(secret);
  const input = new Uint8Array(salt.byteLength + s.byteLength);
  input.set(salt, 0);
  input.set(s, salt.byteLength);
  return new Uint8Array(await crypto.subtle.digest('SHA-256', input));
}

/** Compares two hashes in constant time (unequal lengths are simply unequal: both are SHA-256 here). */
export const sameHash = (a: Uint8Array, b: Uint8Array): boolean => a.byteLength === b.byteLength && crypto.subtle.timingSafeEqual(a, b);

/** A credential as a request presents it; the type is the form it came in, never what the client claims. */
export interface Presented {
  type: CredentialType;
  secret: string;
  username?: string;
}

// Secrets are base64url and Basic user names are ours ("<partner>-<8 hex>"): anything longer is not one of them.
const MAX_SECRET = 128;

/**
 * What credentials a partner request carries: `?token=` (a token credential), `Authorization: Basic`
 * (user name and secret) or `Authorization: Bearer`. Malformed forms are left out, so they fail as a
 * wrong secret does.
 */
export function presentedIn(request: Request, url: URL): Presented[] {
  const found: Presented[] = [];
  const token = url.searchParams.get('token');
  if (token && token.length <= MAX_SECRET) found.push({ type: 'token', secret: token });
  const auth = request.headers.get('Authorization');
  const m = auth ? /^(Basic|Bearer) +(\S+) *$/i.exec(auth) : null;
  if (m?.[1] && m[2] && m[2].length <= MAX_SECRET * 2) {
    if (m[1].toLowerCase() === 'bearer') found.push({ type: 'bearer', secret: m[2] });
    else {
      let decoded = '';
      try {
        decoded = atob(m[2]);
      } catch {
        // Not base64: no credential.
      }
      const colon = decoded.indexOf(':');
      if (colon > 0) found.push({ type: 'basic', username: decoded.slice(0, colon), secret: decoded.slice(colon + 1) });
    }
  }
  return found;
}
