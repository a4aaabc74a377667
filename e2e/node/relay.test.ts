import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSessionGuard } from '@sessiond/node';
import { Client, createAppKey, startAdminServer, type ServerProcess } from '../harness.ts';

const PASSWORD = 'correct horse battery';
const SAFARI_IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const PERSON_IP = '203.0.113.7';

/**
 * The guard relays the person's address and browser with its app key, so validating from the app's
 * server neither rewrites the session's device to "node" nor, with SESSIOND_BIND_IP=strict, ends it
 * with ip_changed (issue 14). Needs the server side (X-Sessiond-App-Key relay) of branch apifix.
 */
describe('@sessiond/node relays the person', () => {
  let server: ServerProcess;
  let admin: Client;
  beforeAll(async () => ({ server, admin } = await startAdminServer({ SESSIOND_BIND_IP: 'strict' })));
  afterAll(() => server.stop());

  const key = () => createAppKey(admin, 'web', ['events:read'], 'app');

  it('signs in and validates as the person: their device and address, and strict IP binding holds', async () => {
    const { secret } = await key();
    const refused: Error[] = [];
    const guard = createSessionGuard({ url: server.url, appKey: secret, cacheTtlMs: 0, onAppRefused: (e) => refused.push(e) });
    try {
      await admin.post('/v1/admin/users', { email: 'relay@example.com', password: PASSWORD });
      const person = { ip: PERSON_IP, userAgent: SAFARI_IPHONE };
      const signedIn = await guard.signIn({ email: 'relay@example.com', password: PASSWORD }, person);
      expect(signedIn.ok).toBe(true);
      if (!signedIn.ok) return;
      expect(signedIn.value.session).toMatchObject({ ip: PERSON_IP, device: { label: 'Safari on iOS' } });
      const cookie = `sessiond=${signedIn.value.token}`;
      const checked = await guard.check({ cookie, ...person });
      expect(checked).toMatchObject({ ok: true, auth: { session: { ip: PERSON_IP, device: { label: 'Safari on iOS' } } } });
      // The person's network changed: strict binding ends it, for the person's address, not the server's.
      expect(await guard.check({ cookie, ip: '198.51.100.9', userAgent: SAFARI_IPHONE })).toMatchObject({ ok: false, refusal: { status: 401, body: { error: { reason: 'ip_changed' } } } });
      expect(refused).toEqual([]);
    } finally {
      guard.close();
    }
  });

  it('a revoked app key is reported, and never signs the person out: asked again without the relay', async () => {
    const { secret, key: k } = await key();
    const refused: Error[] = [];
    // No feed here (no cache): the key's revocation must not be mistaken for anything about the person.
    const guard = createSessionGuard({ url: server.url, appKey: secret, cacheTtlMs: 0, onAppRefused: (e) => refused.push(e) });
    try {
      await admin.post('/v1/admin/users', { email: 'revoked-key@example.com', password: PASSWORD });
      // Signed in from the app server's own address, so the session's address is that one.
      const token = (await new Client(server.url).post('/v1/login', { email: 'revoked-key@example.com', password: PASSWORD })).json.token;
      expect((await admin.delete(`/v1/admin/apps/web/keys/${k.id}`)).status).toBe(204);
      await new Promise((r) => setTimeout(r, 1_100)); // a node trusts a found key for 1 s
      const checked = await guard.check({ cookie: `sessiond=${token}`, ip: '127.0.0.1', userAgent: SAFARI_IPHONE });
      expect(checked.ok).toBe(true);
      expect(refused.map(String)).toEqual([expect.stringMatching(/refused this app's relay on GET \/v1\/session: 403/)]);
    } finally {
      guard.close();
    }
  });

  it('a key of another app than the session\'s is reported, and the session still validates: asked again without the relay', async () => {
    const { secret } = await createAppKey(admin, 'desktop', ['events:read']);
    const refused: Error[] = [];
    const guard = createSessionGuard({ url: server.url, appKey: secret, cacheTtlMs: 0, onAppRefused: (e) => refused.push(e) });
    try {
      await admin.post('/v1/admin/users', { email: 'other-app-key@example.com', password: PASSWORD });
      const token = (await new Client(server.url).post('/v1/login', { email: 'other-app-key@example.com', password: PASSWORD })).json.token;
      const checked = await guard.check({ cookie: `sessiond=${token}`, ip: '127.0.0.1', userAgent: SAFARI_IPHONE });
      expect(checked.ok).toBe(true);
      expect(refused.map(String)).toEqual([expect.stringMatching(/refused this app's relay on GET \/v1\/session: 403 forbidden/)]);
    } finally {
      guard.close();
    }
  });

  it('a refusal about the person (a disabled account) is not asked again without the relay: one attempt, at their address', async () => {
    const { secret } = await key();
    const refused: Error[] = [];
    const logins: Array<string | null> = [];
    // Real fetch to the real server; only counted, so a second, unrelayed attempt would show.
    const counted: typeof fetch = (input, init) => {
      const req = new Request(input, init);
      if (new URL(req.url).pathname === '/v1/login') logins.push(req.headers.get('x-sessiond-client-ip'));
      return fetch(req);
    };
    const guard = createSessionGuard({ url: server.url, appKey: secret, cacheTtlMs: 0, fetch: counted, onAppRefused: (e) => refused.push(e) });
    try {
      const userId = (await admin.post('/v1/admin/users', { email: 'disabled-relay@example.com', password: PASSWORD })).json.user.id;
      expect((await admin.post(`/v1/admin/users/${userId}/disable`)).status).toBe(200);
      const signedIn = await guard.signIn({ email: 'disabled-relay@example.com', password: PASSWORD }, { ip: PERSON_IP, userAgent: SAFARI_IPHONE });
      expect(signedIn).toMatchObject({ ok: false, refusal: { status: 403, body: { error: { code: 'forbidden' } } } });
      expect(logins).toEqual([PERSON_IP]);
      expect(refused).toEqual([]);
    } finally {
      guard.close();
    }
  });
});
