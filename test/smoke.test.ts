import { SELF } from 'cloudflare:test';
import { expect, it } from 'vitest';

it('answers health', async () => {
  const res = await SELF.fetch('http://127.0.0.1:8787/healthz');
  expect(res.status).toBe(200);
});
