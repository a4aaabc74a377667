import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startServer, type ServerProcess } from '../harness.ts';

const PASSWORD = 'correct horse battery';

describe('sign-in throttling over HTTP', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    // Behind one trusted proxy, so the test can speak from several addresses.
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

  /** Statuses of `n` requests sent at once, with how many got each. */
  const burst = async (n: number, send: () => Promise<{ status: number; json: any; headers: Headers }>) => {
    const answers = await Promise.all(Array.from({ length: n }, send));
    for (const a of answers.filter((a) => a.status === 429)) {
      expect(a.json.error.code).toBe('rate_limited');
      expect(Number(a.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    return answers.reduce<Record<number, number>>((by, a) => ({ ...by, [a.status]: (by[a.status] ?? 0) + 1 }), {});
  };

  it('40 wrong passwords sent at once: at most 5 are checked, the rest answer 429', async () => {
    const from = { 'x-forwarded-for': '198.51.100.40' };
    await new Client(server.url, from).post('/v1/signup', { email: 'parallel@example.com', password: PASSWORD });
    const statuses = await burst(40, () => new Client(server.url, from).post('/v1/login', { email: 'parallel@example.com', password: 'a wrong guess here' }));
    expect(statuses[401]).toBeLessThanOrEqual(5);
    expect(statuses[429]).toBeGreaterThanOrEqual(35);
    expect((statuses[401] ?? 0) + statuses[429]!).toBe(40);
    // No lock-out: the owner, from elsewhere, still signs in.
    expect((await new Client(server.url, { 'x-forwarded-for': '203.0.113.40' }).post('/v1/login', { email: 'parallel@example.com', password: PASSWORD })).status).toBe(200);
  });

  it('so are re-authentication and the current password of a password change', async () => {
    for (const [n, step] of [[41, 'reauth'], [42, 'password']] as const) {
      const c = new Client(server.url, { 'x-forwarded-for': `198.51.100.${n}` });
      await c.post('/v1/signup', { email: `${step}-parallel@example.com`, password: PASSWORD });
      expect((await c.post('/v1/login', { email: `${step}-parallel@example.com`, password: PASSWORD })).status).toBe(200);
      const statuses = await burst(40, () =>
        step === 'reauth' ? c.post('/v1/session/reauth', { password: 'a wrong guess here' }) : c.post('/v1/password', { currentPassword: 'a wrong guess here', newPassword: 'a brand new passphrase' }),
      );
      expect(statuses[401], step).toBeLessThanOrEqual(5);
      expect((statuses[401] ?? 0) + statuses[429]!, step).toBe(40);
    }
  });

  it('sign-ups from one address: 10 a minute, then 429 rate_limited with Retry-After', async () => {
    const from = { 'x-forwarded-for': '198.51.100.50' };
    // Bad input is refused before any work and not counted.
    for (let i = 0; i < 5; i++) expect((await new Client(server.url, from).post('/v1/signup', { email: 'not an email', password: PASSWORD })).status).toBe(400);
    const statuses = await burst(30, () => new Client(server.url, from).post('/v1/signup', { email: `many${Math.random()}@example.com`, password: PASSWORD }));
    expect(statuses).toEqual({ 201: 10, 429: 20 });
    // An address already known, too: enumerating emails is what it bounds.
    const taken = await new Client(server.url, from).post('/v1/signup', { email: 'parallel@example.com', password: PASSWORD });
    expect(taken.status).toBe(429);
    expect(Number(taken.headers.get('retry-after'))).toBe(60);
    expect(taken.json.error.message).toMatch(/Too many sign-ups/);
    expect((await new Client(server.url, { 'x-forwarded-for': '203.0.113.50' }).post('/v1/signup', { email: 'elsewhere@example.com', password: PASSWORD })).status).toBe(201);
  });
});
