import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startServer, type ServerProcess } from '../harness.ts';

const PASSWORD = 'correct horse battery';

describe('sign-in throttling over HTTP', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    // Behind a trusted proxy, so the test can speak from several addresses.
    server = await startServer({ SESSIOND_TRUST_PROXY: '1' });
  });
  afterAll(() => server.stop());

  it('answers 429 rate_limited with Retry-After after repeated failures, and lets the owner in elsewhere', async () => {
    const c = new Client(server.url);
    await c.post('/v1/signup', { email: 'target@example.com', password: PASSWORD });
    const attacker = { 'x-forwarded-for': '198.51.100.66' };
    for (let i = 0; i < 5; i++) expect((await c.post('/v1/login', { email: 'target@example.com', password: `guess ${i} guess` }, attacker)).status).toBe(401);
    const blocked = await c.post('/v1/login', { email: 'target@example.com', password: PASSWORD }, attacker);
    expect(blocked.status).toBe(429);
    expect(blocked.json.error.code).toBe('rate_limited');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    const owner = await new Client(server.url).post('/v1/login', { email: 'target@example.com', password: PASSWORD }, { 'x-forwarded-for': '203.0.113.5' });
    expect(owner.status).toBe(200);
  });

  it('rotating through one IPv6 /64 does not escape the limit', async () => {
    const c = new Client(server.url);
    let last = 0;
    for (let i = 1; i <= 21; i++) {
      const r = await c.post('/v1/login', { email: `nobody${i}@example.com`, password: 'not a real password' }, { 'x-forwarded-for': `2001:db8:aa:bb::${i.toString(16)}` });
      last = r.status;
    }
    expect(last).toBe(429);
  });
});
