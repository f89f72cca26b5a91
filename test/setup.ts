// Every test starts from empty KV, an empty writer and an empty purge record.
import { abortAllDurableObjects, env, reset } from 'cloudflare:test';
import { beforeEach } from 'vitest';
import { purgeRecorder } from './helpers';

beforeEach(async () => {
  await reset();
  await abortAllDurableObjects();
  await purgeRecorder(env).reset();
});
