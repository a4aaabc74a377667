import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startServer, type ServerProcess } from '../harness.ts';

const ADMIN = 'bad-input-admin-token-0123456789';

describe('bad input gets a clear 4xx in the SPEC shape, never a 500', () => {
  let server: ServerProcess;
  let c: Client;
  beforeAll(async () => {
    server = await startServer({ SESSIOND_ADMIN_TOKEN: ADMIN });
    c = new Client(server.url);
  });
  afterAll(() => server.stop());

  const expectError = (r: { status: number; json: any }, status: number, code: string) => {
    expect(r.status).toBe(status);
    expect(r.json.error.code).toBe(code);
    expect(typeof r.json.error.message).toBe('string');
  };

  it('malformed JSON', async () => expectError(await c.req('POST', '/v1/login', '{"email":'), 400, 'invalid_request'));
  it('wrong types name the field', async () => {
    const r = await c.post('/v1/login', { email: 'a@example.com', password: 12345678 });
    expectError(r, 400, 'invalid_request');
    expect(r.json.error.details.field).toBe('password');
  });
  it('missing fields name the field', async () => {
    const r = await c.post('/v1/login', { email: 'a@example.com' });
    expect(r.json.error.details.field).toBe('password');
  });
  it('bodies over 16 KiB are refused with 413', async () => expectError(await c.post('/v1/signup', { email: 'a@example.com', password: 'x'.repeat(17 * 1024) }), 413, 'invalid_request'));
  it('a JSON array or scalar body', async () => {
    expectError(await c.req('POST', '/v1/login', '[]'), 400, 'invalid_request');
    expectError(await c.req('POST', '/v1/login', 'null'), 400, 'invalid_request');
  });
  it('a non-JSON content type', async () => {
    const r = await c.req('POST', '/v1/login', 'email=a', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(r.status).toBe(415);
    expect(r.json.error.code).toBe('invalid_request');
  });
  it('an invalid email at sign-up', async () => {
    const r = await c.post('/v1/signup', { email: 'not an email', password: 'long enough password' });
    expectError(r, 400, 'invalid_request');
    expect(r.json.error.details.field).toBe('email');
  });
  it('a common password, at sign-up, admin user creation and password change', async () => {
    const admin = new Client(server.url, { authorization: `Bearer ${ADMIN}` });
    const person = new Client(server.url);
    const strong = 'violet kettle under seven bridges';
    expect((await person.post('/v1/signup', { email: 'common@example.com', password: strong })).status).toBe(201);
    expect((await person.post('/v1/login', { email: 'common@example.com', password: strong })).status).toBe(200);
    for (const weak of ['password', '12345678', 'qwertyuiop', 'PassWord1']) {
      // details.field names the body's field: newPassword at a password change.
      for (const [r, field] of [
        [await c.post('/v1/signup', { email: 'weak@example.com', password: weak }), 'password'],
        [await admin.post('/v1/admin/users', { email: 'weak@example.com', password: weak }), 'password'],
        [await person.post('/v1/password', { currentPassword: strong, newPassword: weak }), 'newPassword'],
      ] as const) {
        expectError(r, 400, 'invalid_request');
        expect(r.json.error.details).toEqual({ field });
        expect(r.json.error.message).toMatch(/one of the most common passwords/);
      }
    }
    expect((await admin.post('/v1/admin/users', { email: 'strong@example.com', password: 'a passphrase nobody else has' })).status).toBe(201);
  });
  it('no credential, a malformed one, and one never issued', async () => {
    expectError(await c.get('/v1/session'), 401, 'unauthenticated');
    expectError(await c.get('/v1/session', { authorization: 'Basic abc' }), 401, 'invalid_token');
    expectError(await c.get('/v1/session', { authorization: 'Bearer abc.def' }), 401, 'invalid_token');
    expectError(await c.get('/v1/session', { cookie: 'sessiond=' + 'A'.repeat(22) + '.' + 'B'.repeat(43) }), 401, 'invalid_token');
    expectError(await c.get('/v1/session', { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzaWQiOiJ4In0.' }), 401, 'invalid_token');
  });
  it('unknown paths', async () => expectError(await c.get('/v1/nope'), 404, 'not_found'));

  it('a barrage of hostile requests produces no 500', async () => {
    const bodies = ['', '{', '{"email":{"$ne":null},"password":{"$gt":""}}', '{"__proto__":{"admin":true}}', '"\u0000"', '{"email":"a@b.c","password":"' + '\u{1F600}'.repeat(300) + '"}', JSON.stringify({ email: 'a'.repeat(5000), password: 'x' })];
    const paths = ['/v1/login', '/v1/signup', '/v1/session/extend', '/v1/logout', '/v1/sessions/revoke-all', '/v1/password', '/v1/totp/enable', '/v1/admin/users', '/v1/sessions/%00', '/v1/sessions/..%2f..%2fetc'];
    const statuses: number[] = [];
    for (const path of paths) {
      for (const body of bodies) {
        for (const method of ['POST', 'DELETE', 'GET']) {
          const r = await fetch(server.url + path, { method, headers: { 'content-type': 'application/json', cookie: 'sessiond=%%%', authorization: method === 'DELETE' ? 'Bearer ' + '\u00ff' : '' }, body: method === 'GET' ? undefined : body });
          statuses.push(r.status);
          if (r.status >= 500) throw new Error(`${method} ${path} ${body.slice(0, 40)} → ${r.status}: ${await r.text()}`);
          await r.arrayBuffer().catch(() => undefined);
        }
      }
    }
    expect(statuses.length).toBe(paths.length * bodies.length * 3);
    expect(statuses.every((s) => s >= 200 && s < 500)).toBe(true);
  });
});
