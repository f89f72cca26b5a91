// How the rest of the Worker reaches the credentials store: one named instance, and the partner-deletion hook.
import type { Credentials } from './store';

/** The credentials store, as a stub (one instance: lookups are a single indexed SQLite read). */
export const credentials = (env: Env): DurableObjectStub<Credentials> => env.CREDENTIALS.get(env.CREDENTIALS.idFromName('partners'));

/** Revokes every credential of a partner; the partner DELETE route calls this. Returns how many were revoked. */
export async function revokeAll(env: Env, partnerId: string): Promise<number> {
  return credentials(env).revokeAll(partnerId);
}
