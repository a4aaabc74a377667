import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startServer, type ServerProcess } from '../harness.ts';

const PASSWORD = 'correct horse battery';

describe('step-up and token renewal', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer({ SESSIOND_FRESHNESS: '1s' });
  });
  afterAll(() => server.stop());

  it('sensitive changes need a recent sign-in; re-authenticating renews the token', async () => {
    const c = new Client(server.url);
    await c.post('/v1/signup', { email: 'stepup@example.com', password: PASSWORD });
    const login = await c.post('/v1/login', { email: 'stepup@example.com', password: PASSWORD });
    expect((await c.post('/v1/totp/setup')).status).toBe(200); // fresh
    await new Promise((r) => setTimeout(r, 1200));
    const stale = await c.post('/v1/totp/setup');
    expect(stale.status).toBe(403);
    expect(stale.json.error.code).toBe('reauth_required');
    expect((await c.delete('/v1/devices/whatever')).json.error.code).toBe('reauth_required');

    expect((await c.post('/v1/session/reauth', { password: 'not my password' })).status).toBe(401);
    const re = await c.post('/v1/session/reauth', { password: PASSWORD });
    expect(re.status).toBe(200);
    expect(re.json.token).not.toBe(login.json.token);
    expect(re.json.session.id).toBe(login.json.session.id);
    expect((await c.post('/v1/totp/setup')).status).toBe(200); // the renewed cookie is fresh
    const old = await new Client(server.url).get('/v1/session', { authorization: `Bearer ${login.json.token}` });
    expect(old.json.error.code).toBe('invalid_token');
  });

  it('never adopts a credential presented before sign-in (fixation)', async () => {
    const attacker = new Client(server.url);
    await attacker.post('/v1/signup', { email: 'planter@example.com', password: PASSWORD });
    const planted = (await attacker.post('/v1/login', { email: 'planter@example.com', password: PASSWORD })).json.token;
    const victim = new Client(server.url);
    await victim.post('/v1/signup', { email: 'victim@example.com', password: PASSWORD });
    victim.cookies.set('sessiond', planted);
    const r = await victim.post('/v1/login', { email: 'victim@example.com', password: PASSWORD });
    expect(r.status).toBe(200);
    expect(r.json.token).not.toBe(planted);
    expect(victim.cookies.get('sessiond')).toBe(r.json.token);
    const asPlanted = await new Client(server.url).get('/v1/session', { authorization: `Bearer ${planted}` });
    expect(asPlanted.json.user.email).toBe('planter@example.com'); // the planted token never became the victim's
  });
});
