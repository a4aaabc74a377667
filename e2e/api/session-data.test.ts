import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { appKeyClient, Client, startAdminServer, type ServerProcess } from '../harness.ts';

const PASSWORD = 'correct horse battery';
const IDLE_MS = 1500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The shared-store projects run this on Redis and PostgreSQL; the default run adds SQLite to memory.
const stores: Record<string, Record<string, string>> = { 'the run’s store': {} };
if (!inject('e2eStore')) stores.sqlite = { SESSIOND_STORE: `sqlite:${join(mkdtempSync(join(tmpdir(), 'sessiond-data-')), 'sessiond.db')}` };

/** Server-side session data (SPEC §13): versioned writes, and what a timeout (only) carries over. */
describe.each(Object.entries(stores))('session data (GET/PUT /v1/session/data) on %s', (_name, storeEnv) => {
  let server: ServerProcess;
  let admin: Client;
  beforeAll(async () => ({ server, admin } = await startAdminServer({ SESSIOND_IDLE_TIMEOUT: `${IDLE_MS}ms`, ...storeEnv })));
  afterAll(() => server.stop());

  let n = 0;
  const account = async () => {
    const email = `data${++n}@example.com`;
    await new Client(server.url).post('/v1/signup', { email, password: PASSWORD });
    return email;
  };
  const signIn = async (b: Client, email: string, password = PASSWORD) => {
    const r = await b.post('/v1/login', { email, password });
    expect(r.status).toBe(200);
    return r.json.session.id as string;
  };
  const put = (b: Client, data: unknown, version: number | string) => b.req('PUT', '/v1/session/data', { data }, { 'if-match': String(version) });
  /** Idle past the timeout; the next request is told (and its cookie cleared), as a browser's would be. */
  const timeOut = async (b: Client) => {
    await sleep(IDLE_MS + 300);
    expect((await b.get('/v1/session')).json.error.reason).toBe('idle_timeout');
  };

  it('starts empty, writes over the version read, refuses a stale version (412) and more than 16 KiB (413)', async () => {
    const b = new Client(server.url);
    await signIn(b, await account());
    const empty = await b.get('/v1/session/data');
    expect(empty.json).toEqual({ data: null, version: 0 });
    expect(empty.headers.get('etag')).toBe('"0"');
    expect(empty.headers.get('cache-control')).toBe('no-store');
    const noVersion = await b.req('PUT', '/v1/session/data', { data: { cart: [] } });
    expect(noVersion.status).toBe(400);
    expect(noVersion.json.error).toMatchObject({ code: 'invalid_request', details: { field: 'If-Match' } });
    expect((await put(b, { cart: ['book'] }, 0)).json).toEqual({ version: 1 });
    const stale = await put(b, { cart: ['pen'] }, 0);
    expect(stale.status).toBe(412);
    expect(stale.json.error).toMatchObject({ code: 'version_conflict', details: { version: 1 } });
    expect((await put(b, { cart: ['book', 'pen'] }, '"1"')).json).toEqual({ version: 2 });
    const big = await put(b, 'x'.repeat(16 * 1024), 2);
    expect(big.status).toBe(413);
    expect(big.json.error.code).toBe('invalid_request');
    expect((await b.get('/v1/session/data')).json).toEqual({ data: { cart: ['book', 'pen'] }, version: 2 });
    const missingBody = await b.req('PUT', '/v1/session/data', {}, { 'if-match': '2' });
    expect(missingBody.status).toBe(400);
    expect((await new Client(server.url).get('/v1/session/data')).status).toBe(401);
  });

  it('carries into the next session of the same person from the same browser after an idle timeout', async () => {
    const email = await account();
    const b = new Client(server.url);
    const first = await signIn(b, email);
    await put(b, { checkout: { step: 2 } }, 0);
    await timeOut(b);
    const second = await signIn(b, email);
    expect(second).not.toBe(first);
    expect((await b.get('/v1/session/data')).json).toEqual({ data: { checkout: { step: 2 } }, version: 1 });
    // Also when nothing told the server the session had run out before this sign-in.
    expect((await put(b, { checkout: { step: 2, paid: false } }, 1)).json.version).toBe(2);
    await sleep(IDLE_MS + 300);
    const third = await signIn(b, email);
    expect((await b.get('/v1/session/data')).json).toEqual({ data: { checkout: { step: 2, paid: false } }, version: 1 });
    const ended = (await b.get('/v1/activity')).json.events.find((e: { sessionId: string; type: string }) => e.sessionId === second && e.type === 'session.ended');
    expect(ended.reason).toBe('idle_timeout');
    expect(third).not.toBe(second);
    // Only into the next session: this one is alive, so the one after it starts empty.
    expect((await put(b, { checkout: { step: 3 } }, 1)).json.version).toBe(2);
    await b.post('/v1/logout');
    await signIn(b, email);
    expect((await b.get('/v1/session/data')).json).toEqual({ data: null, version: 0 });
  });

  it('never after a deliberate sign-out, a revocation or a password change, never to another person or another browser', async () => {
    const email = await account();
    // Signed out on purpose (even though this client keeps the browser cookie).
    const b = new Client(server.url);
    await signIn(b, email);
    await put(b, 'signed out', 0);
    await b.post('/v1/logout');
    await signIn(b, email);
    expect((await b.get('/v1/session/data')).json.data).toBeNull();

    // Revoked from another device.
    const phone = new Client(server.url);
    await signIn(phone, email);
    const laptop = new Client(server.url);
    const laptopSession = await signIn(laptop, email);
    await put(laptop, 'revoked', 0);
    expect((await phone.delete(`/v1/sessions/${laptopSession}`)).status).toBe(204);
    await signIn(laptop, email);
    expect((await laptop.get('/v1/session/data')).json.data).toBeNull();

    // Timed out, then the password changed elsewhere.
    const desk = new Client(server.url);
    await signIn(desk, email);
    await put(desk, 'password', 0);
    await timeOut(desk);
    await signIn(phone, email);
    expect((await phone.post('/v1/password', { currentPassword: PASSWORD, newPassword: 'a new long passphrase' })).status).toBe(200);
    await signIn(desk, email, 'a new long passphrase');
    expect((await desk.get('/v1/session/data')).json.data).toBeNull();

    // Timed out, then someone else signs in on the same browser; and another browser of the same person.
    const other = await account();
    const shared = new Client(server.url);
    await signIn(shared, email, 'a new long passphrase');
    await put(shared, 'mine', 0);
    await timeOut(shared);
    await signIn(shared, other);
    expect((await shared.get('/v1/session/data')).json.data).toBeNull();
    const elsewhere = new Client(server.url);
    await signIn(elsewhere, email, 'a new long passphrase');
    expect((await elsewhere.get('/v1/session/data')).json.data).toBeNull();
  });

  it("an app key with sessions:write reads and writes its own app's sessions' data; other apps' look missing", async () => {
    const email = await account();
    const b = new Client(server.url);
    const id = await signIn(b, email);
    const key = (app: string, scopes: string[]) => appKeyClient(admin, app, scopes);
    const web = await key('web', ['sessions:write']);
    expect((await web.get(`/v1/admin/sessions/${id}/data`)).json).toEqual({ data: null, version: 0 });
    expect((await web.req('PUT', `/v1/admin/sessions/${id}/data`, { data: { total: 42 } }, { 'if-match': '0' })).json).toEqual({ version: 1 });
    expect((await b.get('/v1/session/data')).json).toEqual({ data: { total: 42 }, version: 1 });
    const stale = await web.req('PUT', `/v1/admin/sessions/${id}/data`, { data: {} }, { 'if-match': '0' });
    expect(stale.status).toBe(412);
    const desktop = await key('desktop', ['sessions:write']);
    expect((await desktop.get(`/v1/admin/sessions/${id}/data`)).status).toBe(404);
    const readOnly = await key('web', ['sessions:read']);
    expect((await readOnly.get(`/v1/admin/sessions/${id}/data`)).status).toBe(403);
    expect((await admin.get(`/v1/admin/sessions/${id}/data`)).json.version).toBe(1);
    await b.post('/v1/logout');
    expect((await web.get(`/v1/admin/sessions/${id}/data`)).status).toBe(404);
  });
});
