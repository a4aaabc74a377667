import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startAdminServer, type ServerProcess } from '../harness.ts';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a whole new passphrase';
// A code is accepted once: a second use takes the next step's code (one step of drift).
const nextCode = (secret: string) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });

describe('trusted devices ("Keep me signed in")', () => {
  let server: ServerProcess;
  let admin: Client;
  beforeAll(async () => ({ server, admin } = await startAdminServer()));
  afterAll(() => server.stop());

  const signUp = async (email: string) => (await new Client(server.url).post('/v1/signup', { email, password: PASSWORD })).json.user.id as string;
  const untrusted = async (userId: string) =>
    ((await admin.get(`/v1/admin/audit?userId=${userId}`)).json.events as { type: string; data: { cause: string; deviceIds: string[] } }[]).filter((e) => e.type === 'devices.untrusted');

  it('a browser trusted before two-step sign-in was turned on must pass the code once before it may skip it', async () => {
    const email = 'trusted-early@example.com';
    const userId = await signUp(email);
    const browser = new Client(server.url);
    expect((await browser.post('/v1/login', { email, password: PASSWORD, rememberMe: true })).status).toBe(200);
    expect(browser.cookies.has('sessiond_device')).toBe(true);
    const deviceId = (await browser.get('/v1/devices')).json.devices[0].id;
    const { secret } = (await browser.post('/v1/totp/setup')).json;
    expect((await browser.post('/v1/totp/enable', { code: await generate({ secret }) })).status).toBe(200);
    await browser.post('/v1/logout');

    const again = await browser.post('/v1/login', { email, password: PASSWORD, rememberMe: true });
    expect(again.status).toBe(401);
    expect(again.json.error.code).toBe('totp_required');
    expect((await browser.post('/v1/login', { email, password: PASSWORD, rememberMe: true, totp: await nextCode(secret) })).status).toBe(200);
    const devices = (await browser.get('/v1/devices')).json.devices as { id: string }[];
    expect(devices).toHaveLength(1);
    expect(devices[0]!.id).not.toBe(deviceId);
    expect(await untrusted(userId)).toMatchObject([{ data: { cause: 'totp_enabled', deviceIds: [deviceId] } }]);
    // Once the code was checked on it, the browser is trusted for it.
    await browser.post('/v1/logout');
    expect((await browser.post('/v1/login', { email, password: PASSWORD })).status).toBe(200);
  });

  it('a password change ends every trust, and the audit log says so', async () => {
    const email = 'trusted-password@example.com';
    const userId = await signUp(email);
    const [laptop, phone] = [new Client(server.url), new Client(server.url)];
    for (const b of [laptop, phone]) await b.post('/v1/login', { email, password: PASSWORD, rememberMe: true });
    const before = ((await laptop.get('/v1/devices')).json.devices as { id: string }[]).map((d) => d.id).sort();
    expect(before).toHaveLength(2);
    expect((await laptop.post('/v1/password', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD })).status).toBe(200);
    expect((await laptop.get('/v1/devices')).json.devices).toEqual([]);
    const [event] = await untrusted(userId);
    expect(event!.data.cause).toBe('password_changed');
    expect([...event!.data.deviceIds].sort()).toEqual(before);
  });

  it('disabling the account ends every trust, and enabling it again does not bring them back', async () => {
    const email = 'trusted-disabled@example.com';
    const userId = await signUp(email);
    const browser = new Client(server.url);
    await browser.post('/v1/login', { email, password: PASSWORD, rememberMe: true });
    const deviceId = (await browser.get('/v1/devices')).json.devices[0].id;
    expect((await admin.post(`/v1/admin/users/${userId}/disable`)).json).toEqual({ disabled: true, ended: 1 });
    await admin.post(`/v1/admin/users/${userId}/enable`);
    expect(await untrusted(userId)).toMatchObject([{ data: { cause: 'account_disabled', deviceIds: [deviceId] } }]);
    expect((await browser.post('/v1/login', { email, password: PASSWORD })).status).toBe(200);
    expect((await browser.get('/v1/devices')).json.devices).toEqual([]);
  });

  it('one account cannot fill the store: past 100 sessions the oldest give way, and admin-started ones trust no device', async () => {
    const { json } = await admin.post('/v1/admin/users', { email: 'many-sign-ins@example.com', password: PASSWORD });
    const userId = json.user.id;
    // Sessions the operator's app starts cost no password check: quick to make many.
    const start = async () => (await admin.post('/v1/admin/sessions', { userId, rememberMe: true })).json.token as string;
    const first = await start();
    const tokens = [first];
    for (let i = 0; i < 100; i++) tokens.push(await start());
    expect((await admin.get(`/v1/admin/users/${userId}/sessions`)).json.sessions).toHaveLength(100);
    const evicted = await new Client(server.url, { authorization: `Bearer ${first}` }).get('/v1/session');
    expect(evicted.status).toBe(401);
    expect(evicted.json.error).toMatchObject({ code: 'session_ended', reason: 'concurrent_limit', message: expect.stringContaining('an account can have at most 100 sessions') });
    const latest = new Client(server.url, { authorization: `Bearer ${tokens.at(-1)}` });
    // Their device cookie would reach no browser; the device ceiling: core/devices.test.ts.
    expect((await latest.get('/v1/devices')).json.devices).toHaveLength(0);
  });
});
