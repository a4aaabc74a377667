import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, Client, createAppKey, startAdminServer, type ServerProcess } from '../harness.ts';

const PASSWORD = 'correct horse battery';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0';
const SAFARI = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15';
const PERSON_IP = '203.0.113.7';

/**
 * An app's backend validating a person's credential (or signing them in) relays their address and
 * browser with its app key: X-Sessiond-App-Key, X-Sessiond-Client-IP, X-Sessiond-Client-User-Agent.
 * From anyone else those headers are ignored. IP binding is strict here, so a wrong address ends sessions.
 */
describe('an app backend relays the person’s address and browser', () => {
  let server: ServerProcess;
  let admin: Client;
  let webKey: string;
  let desktopKey: string;
  beforeAll(async () => {
    ({ server, admin } = await startAdminServer({ SESSIOND_BIND_IP: 'strict' }));
    const key = async (app: string) => (await createAppKey(admin, app, ['events:read'])).secret;
    webKey = await key('web');
    desktopKey = await key('desktop');
  });
  afterAll(() => server.stop());

  const user = async (email: string) => (await admin.post('/v1/admin/users', { email, password: PASSWORD })).json.user.id as string;
  /** A web session that began at the person's address in Firefox, as their app's backend started it. */
  const personSession = async (userId: string) => (await admin.post('/v1/admin/sessions', { userId, app: 'web', ip: PERSON_IP, userAgent: FIREFOX })).json.token as string;
  const relay = (key: string, ip = PERSON_IP, userAgent = FIREFOX) => ({ 'x-sessiond-app-key': key, 'x-sessiond-client-ip': ip, 'x-sessiond-client-user-agent': userAgent });

  it('validating with the app key and the headers keeps the person’s address and device; without them strict binding ends it', async () => {
    const userId = await user('relay-validate@example.com');
    const token = await personSession(userId);
    const backend = new Client(server.url, { authorization: `Bearer ${token}`, 'user-agent': 'node' });
    const ok = await backend.get('/v1/session', relay(webKey));
    expect(ok.status).toBe(200);
    expect(ok.json.session).toMatchObject({ ip: PERSON_IP, device: { label: 'Firefox on Linux' } });
    // The person moved networks: the relayed address is theirs, and strict binding ends the session for it.
    const moved = await personSession(userId);
    const movedAnswer = await new Client(server.url, { authorization: `Bearer ${moved}` }).get('/v1/session', relay(webKey, '198.51.100.9'));
    expect(movedAnswer.json.error).toMatchObject({ code: 'session_ended', reason: 'ip_changed' });

    // The app key alone, without the address: the connection's own address counts, as without a key.
    const keyOnly = await new Client(server.url, { authorization: `Bearer ${await personSession(userId)}` }).get('/v1/session', { 'x-sessiond-app-key': webKey });
    expect(keyOnly.json.error).toMatchObject({ code: 'session_ended', reason: 'ip_changed' });
    // Without the key the headers are anyone's to write: ignored, so the app server's address ends it.
    const noKey = await new Client(server.url, { authorization: `Bearer ${await personSession(userId)}` }).get('/v1/session', { 'x-sessiond-client-ip': PERSON_IP, 'x-sessiond-client-user-agent': FIREFOX });
    expect(noKey.json.error).toMatchObject({ code: 'session_ended', reason: 'ip_changed' });
    // The first session, validated the right way, lives on.
    expect((await backend.get('/v1/session', relay(webKey))).status).toBe(200);
  });

  it('a relayed cookie sign-in records the person, and their cookie validates through the backend', async () => {
    await user('relay-cookie@example.com');
    const backend = new Client(server.url, { 'user-agent': 'node' });
    const login = await backend.post('/v1/login', { email: 'relay-cookie@example.com', password: PASSWORD }, relay(webKey, PERSON_IP, SAFARI));
    expect(login.status).toBe(200);
    expect(login.json.session).toMatchObject({ ip: PERSON_IP, device: { label: 'Safari on macOS' } });
    const cookie = `sessiond=${login.json.token}`;
    const validated = await new Client(server.url, { 'user-agent': 'node' }).get('/v1/session', { cookie, ...relay(webKey, PERSON_IP, SAFARI) });
    expect(validated.status).toBe(200);
    expect(validated.json.session).toMatchObject({ ip: PERSON_IP, device: { label: 'Safari on macOS' } });
    const listed = await new Client(server.url).get(`/v1/admin/users/${login.json.user.id}/sessions`, { authorization: `Bearer ${ADMIN_TOKEN}` });
    expect(listed.json.sessions[0]).toMatchObject({ ip: PERSON_IP, device: { label: 'Safari on macOS' } });
    // A backend's state change carries no Origin; its key shows no other site sent it.
    const logout = await new Client(server.url).req('POST', '/v1/logout', undefined, { cookie, origin: '', ...relay(webKey, PERSON_IP, SAFARI) });
    expect(logout.status).toBe(204);
    expect(logout.headers.get('clear-site-data')).toBe('"cookies"');
  });

  it('without an app key the headers change nothing', async () => {
    await user('relay-ignored@example.com');
    const browser = new Client(server.url, { 'user-agent': SAFARI });
    const spoof = { 'x-sessiond-client-ip': '198.51.100.77', 'x-sessiond-client-user-agent': FIREFOX };
    const login = await browser.post('/v1/login', { email: 'relay-ignored@example.com', password: PASSWORD }, spoof);
    expect(login.status).toBe(200);
    expect(login.json.session).toMatchObject({ ip: '127.0.0.1', device: { label: 'Safari on macOS' } });
    // Not even checked: a value that is no address is ignored too.
    const again = await browser.get('/v1/session', { 'x-sessiond-client-ip': 'not-an-address', 'x-sessiond-client-user-agent': FIREFOX });
    expect(again.status).toBe(200);
    expect(again.json.session).toMatchObject({ ip: '127.0.0.1', device: { label: 'Safari on macOS' } });
  });

  it('refuses a bad address (400 naming the header), a bad key, and another app’s key, changing nothing', async () => {
    const userId = await user('relay-refused@example.com');
    const token = await personSession(userId);
    const backend = new Client(server.url, { authorization: `Bearer ${token}` });
    const bad = await backend.get('/v1/session', relay(webKey, 'not-an-address'));
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: 'invalid_request', details: { field: 'X-Sessiond-Client-IP' } });
    expect(bad.json.error.message).toContain('X-Sessiond-Client-IP');
    const tooLong = await backend.get('/v1/session', relay(webKey, PERSON_IP, 'x'.repeat(1025)));
    expect(tooLong.status).toBe(400);
    expect(tooLong.json.error.details.field).toBe('X-Sessiond-Client-User-Agent');

    const forged = await backend.get('/v1/session', relay('sak_' + 'A'.repeat(43), '198.51.100.1'));
    expect(forged.status).toBe(403);
    expect(forged.json.error).toMatchObject({ code: 'forbidden', details: { field: 'X-Sessiond-App-Key' } });
    // A desktop backend may not speak for a web session, nor sign a person in to web.
    const otherApp = await backend.get('/v1/session', relay(desktopKey, '198.51.100.1'));
    expect(otherApp.status).toBe(403);
    expect(otherApp.json.error).toMatchObject({ code: 'forbidden', details: { field: 'X-Sessiond-App-Key' } });
    const otherLogin = await new Client(server.url).post('/v1/login', { email: 'relay-refused@example.com', password: PASSWORD }, relay(desktopKey));
    expect(otherLogin.status).toBe(403);
    expect(otherLogin.json.error).toMatchObject({ code: 'forbidden', details: { field: 'app' } });

    const unchanged = await backend.get('/v1/session', relay(webKey));
    expect(unchanged.status).toBe(200);
    expect(unchanged.json.session).toMatchObject({ ip: PERSON_IP, device: { label: 'Firefox on Linux' } });
  });
});
