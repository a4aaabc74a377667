import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appKeyClient, Client, startAdminServer, type ServerProcess } from '../harness.ts';

const PASSWORD = 'correct horse battery';

/** PUT /v1/admin/users/by-external-id/:externalId: an app finds its person's account again, after any restart. */
describe('users by external id', () => {
  let server: ServerProcess;
  let admin: Client;
  beforeAll(async () => ({ server, admin } = await startAdminServer()));
  afterAll(() => server.stop());

  const put = (c: Client, externalId: string, body: unknown = {}) => c.req('PUT', `/v1/admin/users/by-external-id/${encodeURIComponent(externalId)}`, body);

  it('creates once (201), then finds the same user (200), without a password; sessions start for it', async () => {
    const first = await put(admin, 'crm|1001', { email: 'Ext.One@Example.com' });
    expect(first.status).toBe(201);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.json.user).toMatchObject({ email: 'ext.one@example.com', externalId: 'crm|1001', hasPassword: false, totpEnabled: false });
    const again = await put(admin, 'crm|1001', { email: 'ext.one@example.com' });
    expect(again.status).toBe(200);
    expect(again.json.user).toEqual(first.json.user);
    // Looking up without an email finds it too.
    expect((await put(admin, 'crm|1001')).json.user.id).toBe(first.json.user.id);
    // Twenty first calls at once for a new id: one account.
    const burst = await Promise.all(Array.from({ length: 20 }, () => put(admin, 'crm|race', { email: 'race@example.com' })));
    expect(burst.filter((r) => r.status === 201)).toHaveLength(1);
    expect(burst.filter((r) => r.status === 200)).toHaveLength(19);
    expect(new Set(burst.map((r) => r.json.user.id)).size).toBe(1);

    const started = await admin.post('/v1/admin/sessions', { userId: first.json.user.id });
    expect(started.status).toBe(200);
    expect((await new Client(server.url).get('/v1/session', { authorization: `Bearer ${started.json.token}` })).json.user.id).toBe(first.json.user.id);
  });

  it('no password signs in to a passwordless account: 401 like a wrong password, never 500', async () => {
    await put(admin, 'crm|nopw', { email: 'nopw@example.com' });
    for (const password of ['', 'x', PASSWORD]) {
      const r = await new Client(server.url).post('/v1/login', { email: 'nopw@example.com', password });
      if (password === '') {
        expect(r.status).toBe(400); // an empty password is malformed before any account is looked at
        continue;
      }
      expect(r.status).toBe(401);
      expect(r.json.error.code).toBe('invalid_credentials');
    }
    const wrong = await new Client(server.url).post('/v1/login', { email: 'nobody-here@example.com', password: PASSWORD });
    expect(wrong.json.error).toEqual((await new Client(server.url).post('/v1/login', { email: 'nopw@example.com', password: PASSWORD })).json.error);
    // Its own session cannot change a password it does not have, nor re-authenticate with one.
    const userId = (await put(admin, 'crm|nopw')).json.user.id;
    const token = (await admin.post('/v1/admin/sessions', { userId })).json.token;
    const person = new Client(server.url, { authorization: `Bearer ${token}` });
    expect((await person.post('/v1/password', { currentPassword: PASSWORD, newPassword: 'another horse battery' })).json.error.code).toBe('invalid_credentials');
    expect((await person.post('/v1/session/reauth', { password: PASSWORD })).json.error.code).toBe('invalid_credentials');
    // Signing up with its email does not take it over.
    expect((await new Client(server.url).post('/v1/signup', { email: 'nopw@example.com', password: PASSWORD })).status).toBe(409);
  });

  it('never changes or takes over an account: another email is 409, an email another account has is 409', async () => {
    await put(admin, 'crm|2002', { email: 'two@example.com' });
    const changed = await put(admin, 'crm|2002', { email: 'someone-else@example.com' });
    expect(changed.status).toBe(409);
    expect(changed.json.error).toMatchObject({ code: 'external_id_conflict', details: { field: 'email' } });
    expect((await put(admin, 'crm|2002')).json.user.email).toBe('two@example.com');

    await admin.post('/v1/admin/users', { email: 'has-password@example.com', password: PASSWORD });
    const takeover = await put(admin, 'crm|3003', { email: 'has-password@example.com' });
    expect(takeover.status).toBe(409);
    expect(takeover.json.error).toMatchObject({ code: 'email_taken', details: { field: 'email' } });
    // Nothing was made: the id is still free.
    expect((await put(admin, 'crm|3003', { email: 'three@example.com' })).status).toBe(201);
  });

  it('refuses bad input with 400 naming the field', async () => {
    const noEmail = await put(admin, 'crm|new-without-email');
    expect(noEmail.status).toBe(400);
    expect(noEmail.json.error.details.field).toBe('email');
    expect((await put(admin, 'crm|x', { email: 'not an email' })).json.error.details.field).toBe('email');
    expect((await put(admin, 'crm|x', { email: 'x@example.com', password: 'no' })).status).toBe(400);
    expect((await put(admin, 'has space', { email: 'x@example.com' })).status).toBe(400);
    expect((await put(admin, 'x'.repeat(129), { email: 'x@example.com' })).status).toBe(400);
  });

  it('opens to the admin token and app keys with users:write only', async () => {
    const key = (scopes: string[]) => appKeyClient(admin, 'web', scopes, scopes.join(' '));
    const writer = await key(['users:write']);
    const reader = await key(['sessions:read', 'sessions:write', 'events:read']);
    expect((await put(writer, 'app|1', { email: 'app1@example.com' })).status).toBe(201);
    expect((await put(writer, 'app|1', { email: 'app1@example.com' })).status).toBe(200);
    const refused = await put(reader, 'app|1', { email: 'app1@example.com' });
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('forbidden');
    expect((await put(new Client(server.url), 'app|1', {})).status).toBe(401);
  });
});
