// Every test starts from empty KV and an empty publisher index.
import { abortAllDurableObjects, reset } from 'cloudflare:test';
import { beforeEach } from 'vitest';

beforeEach(async () => {
  await reset();
  await abortAllDurableObjects();
});
