import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startAdminServer, startRefused, type ServerProcess } from '../harness.ts';

const PASSWORD = 'correct horse battery';

describe('SESSIOND_TRUST_PROXY: the client address is the one the trusted proxy saw', () => {
  let server: ServerProcess;
  let admin: Client;
  beforeAll(async () => ({ server, admin } = await startAdminServer({ SESSIOND_TRUST_PROXY: '1' })));
  afterAll(() => server.stop());

  it('with one hop, a spoofed leftmost X-Forwarded-For changes neither the throttled nor the recorded address', async () => {
    const c = new Client(server.url);
    await c.post('/v1/signup', { email: 'spoof@example.com', password: PASSWORD }, { 'x-forwarded-for': '192.0.2.1' });
    // The proxy appends the address it saw (198.51.100.66) to whatever the client sent.
    const from = (spoofed: string) => ({ 'x-forwarded-for': `${spoofed}, 198.51.100.66` });
    for (let i = 0; i < 5; i++) {
      expect((await c.post('/v1/login', { email: 'spoof@example.com', password: `guess ${i} guess` }, from(`203.0.113.${i}`))).status).toBe(401);
    }
    const blocked = await c.post('/v1/login', { email: 'spoof@example.com', password: PASSWORD }, from('203.0.113.99'));
    expect(blocked.status).toBe(429);
    expect(blocked.json.error.code).toBe('rate_limited');

    const owner = new Client(server.url);
    const signedIn = await owner.post('/v1/login', { email: 'spoof@example.com', password: PASSWORD }, { 'x-forwarded-for': '8.8.8.8, 192.0.2.7' });
    expect(signedIn.status).toBe(200);
    expect((await owner.get('/v1/sessions', { 'x-forwarded-for': '1.1.1.1, 192.0.2.7' })).json.sessions[0].ip).toBe('192.0.2.7');
    const audit = (await admin.get('/v1/admin/audit?limit=50')).json.events as { type: string; ip: string | null }[];
    expect(audit.filter((e) => e.type === 'login.failed').map((e) => e.ip)).toEqual(Array(5).fill('198.51.100.66'));
    expect(audit.find((e) => e.type === 'session.started')?.ip).toBe('192.0.2.7');
  });

  it('refuses to start with SESSIOND_TRUST_PROXY=true, in one line saying what to give instead', async () => {
    const refusal = await startRefused({ SESSIOND_TRUST_PROXY: 'true' });
    expect(refusal.code).toBe(1);
    expect(refusal.lines).toEqual([
      'sessiond: bad configuration: SESSIOND_TRUST_PROXY: "true" would trust any address a client writes into X-Forwarded-For; give the number of proxies in front of sessiond (e.g. 1) or their addresses/CIDRs',
    ]);
  });
});
