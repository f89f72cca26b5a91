// How the rest of the Worker reaches the audience store: one named instance.
import type { AudienceStore } from './store';

/** The audience store, as a stub: the daily salt, the rollups and the local sink's raw points. */
export const audienceStore = (env: Env): DurableObjectStub<AudienceStore> =>
  env.AUDIENCE_STORE.get(env.AUDIENCE_STORE.idFromName('audience'));
