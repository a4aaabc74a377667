import { createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startServer, type ServerProcess } from '../harness.ts';

const PASSWORD = 'correct horse battery';
const ADMIN = 'totp-and-logs-admin-token-0123456789';
const KEK = randomBytes(32);
// A code is accepted once: a second use in the same 30-second step takes the next step's code,
// which the server accepts as one step of clock drift.
const nextCode = (secret: string) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });

describe('two-factor sign-in', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    // Debug logging with request logs would show any secret that leaked into a log line.
    server = await startServer({ SESSIOND_LOG_LEVEL: 'debug', SESSIOND_ADMIN_TOKEN: ADMIN, SESSIOND_KEY_ENCRYPTION_KEY: KEK.toString('base64') });
  });
  afterAll(() => server.stop());

  it('sets up, enables, asks for the code at sign-in, accepts a recovery code once, and disables', async () => {
    const c = new Client(server.url);
    await c.post('/v1/signup', { email: 'totp@example.com', password: PASSWORD });
    await c.post('/v1/login', { email: 'totp@example.com', password: PASSWORD });
    const setup = await c.post('/v1/totp/setup');
    expect(setup.status).toBe(200);
    expect(setup.json.otpauthUrl).toMatch(/^otpauth:\/\/totp\/sessiond:totp%40example\.com\?/);
    expect(setup.json.qrCode).toMatch(/^data:image\/png;base64,/);
    expect((await c.post('/v1/totp/enable', { code: '000000' })).json.error.details.field).toBe('code');
    const enabled = await c.post('/v1/totp/enable', { code: await generate({ secret: setup.json.secret }) });
    expect(enabled.status).toBe(200);
    const recoveryCodes: string[] = enabled.json.recoveryCodes;
    expect(recoveryCodes).toHaveLength(10);
    // 24 Crockford base32 symbols (120 bits) in groups of four.
    for (const rc of recoveryCodes) expect(rc).toMatch(/^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){5}$/);

    const fresh = new Client(server.url);
    const step1 = await fresh.post('/v1/login', { email: 'totp@example.com', password: PASSWORD });
    expect(step1.status).toBe(401);
    expect(step1.json.error.code).toBe('totp_required');
    expect(step1.headers.getSetCookie()).toHaveLength(0);
    const wrong = await fresh.post('/v1/login', { email: 'totp@example.com', password: PASSWORD, totp: '123456' });
    expect(wrong.json.error.code).toBe('invalid_credentials');
    const code = await nextCode(setup.json.secret);
    const ok = await fresh.post('/v1/login', { email: 'totp@example.com', password: PASSWORD, totp: code });
    expect(ok.status).toBe(200);
    // The same code again is a replay, refused even with the right password.
    const replay = await new Client(server.url).post('/v1/login', { email: 'totp@example.com', password: PASSWORD, totp: code });
    expect(replay.json.error.code).toBe('invalid_credentials');

    // Typed from paper: upper case, spaced out; accepted once, in whatever form it comes again.
    const recovery = recoveryCodes[0]!;
    const typed = recovery.toUpperCase().replace(/-/g, ' - ');
    expect((await new Client(server.url).post('/v1/login', { email: 'totp@example.com', password: PASSWORD, totp: typed })).status).toBe(200);
    expect((await new Client(server.url).post('/v1/login', { email: 'totp@example.com', password: PASSWORD, totp: recovery })).status).toBe(401);

    expect((await c.post('/v1/totp/disable', { code: recoveryCodes[1]!.replace(/-/g, '') })).json).toEqual({ enabled: false });
    expect((await new Client(server.url).post('/v1/login', { email: 'totp@example.com', password: PASSWORD })).status).toBe(200);
    // No recovery code reaches the log, in any case or spacing.
    const flatLogs = server.output().toLowerCase().replace(/[\s-]/g, '');
    for (const rc of recoveryCodes) expect(flatLogs).not.toContain(rc.replace(/-/g, ''));
  });

  it('lets one of several sign-ins sent at once with the same code through (replay race)', async () => {
    // One account per kind of code, so that the failures stay under the sign-in throttle.
    for (const kind of ['recovery', 'totp'] as const) {
      const email = `race-${kind}@example.com`;
      const c = new Client(server.url);
      await c.post('/v1/signup', { email, password: PASSWORD });
      await c.post('/v1/login', { email, password: PASSWORD });
      const { secret } = (await c.post('/v1/totp/setup')).json;
      const { recoveryCodes } = (await c.post('/v1/totp/enable', { code: await generate({ secret }) })).json;
      const code = kind === 'recovery' ? recoveryCodes[0] : await nextCode(secret);
      const signIns = await Promise.all(Array.from({ length: 5 }, () => new Client(server.url).post('/v1/login', { email, password: PASSWORD, totp: code })));
      expect(signIns.map((r) => r.status).sort(), kind).toEqual([200, 401, 401, 401, 401]);
    }
  });

  it('a trusted device ("Keep me signed in") skips the code next time', async () => {
    const c = new Client(server.url);
    await c.post('/v1/signup', { email: 'trusted@example.com', password: PASSWORD });
    await c.post('/v1/login', { email: 'trusted@example.com', password: PASSWORD });
    const { json } = await c.post('/v1/totp/setup');
    await c.post('/v1/totp/enable', { code: await generate({ secret: json.secret }) });
    const browser = new Client(server.url);
    await browser.post('/v1/login', { email: 'trusted@example.com', password: PASSWORD, rememberMe: true, totp: await nextCode(json.secret) });
    expect(browser.cookies.has('sessiond_device')).toBe(true);
    await browser.post('/v1/logout');
    const again = await browser.post('/v1/login', { email: 'trusted@example.com', password: PASSWORD });
    expect(again.status).toBe(200);
  });

  it('never writes a credential to the log', async () => {
    const c = new Client(server.url);
    await c.post('/v1/signup', { email: 'logs@example.com', password: PASSWORD });
    const login = await c.post('/v1/login', { email: 'logs@example.com', password: PASSWORD, rememberMe: true });
    await c.get('/v1/session');
    await c.post('/v1/logout');
    const logs = server.output();
    const token: string = login.json.token;
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(token.split('.')[1]);
    expect(logs).not.toContain(PASSWORD);
    for (const v of c.cookies.values()) expect(logs).not.toContain(v.split('.')[1] ?? v);
  });

  it('the audit log keeps a typed email only when it is an account\'s; anything else as a fingerprint keyed by the key-encryption key', async () => {
    await new Client(server.url).post('/v1/signup', { email: 'audited@example.com', password: PASSWORD });
    const typed = ['hunter2-secret', 'Stranger-Secret@Example.com', ' Audited@Example.com '];
    for (const email of typed) expect((await new Client(server.url).post('/v1/login', { email, password: 'wrong password here' })).status).toBe(401);
    const audit = await new Client(server.url, { authorization: `Bearer ${ADMIN}` }).get('/v1/admin/audit?limit=100');
    const failed = audit.json.events.filter((e: { type: string }) => e.type === 'login.failed').map((e: { data: { email: string } }) => e.data.email);
    const text = JSON.stringify(audit.json).toLowerCase();
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('stranger-secret');
    // HMAC-SHA-256 under the "email fingerprints" subkey: without the key no guess can be tested.
    const subkey = Buffer.from(hkdfSync('sha256', KEK, Buffer.alloc(0), 'sessiond email fingerprints', 32));
    const fingerprint = (s: string) => `hmac:${createHmac('sha256', subkey).update(s.trim().toLowerCase()).digest('hex').slice(0, 32)}`;
    expect(failed).toEqual(expect.arrayContaining([fingerprint('hunter2-secret'), fingerprint('stranger-secret@example.com'), 'audited@example.com']));
    const unkeyed = createHash('sha256').update('hunter2-secret').digest('hex').slice(0, 16);
    expect(text).not.toContain(unkeyed);
    expect(server.output()).not.toContain('hunter2');
  });
});

describe('wrong codes when turning two-factor sign-in on or off', () => {
  const ADMIN = 'totp-admin-token-0123456789abcdef';
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer({ SESSIOND_ADMIN_TOKEN: ADMIN });
  });
  afterAll(() => server.stop());
  const audit = async (userId: string) =>
    (await new Client(server.url, { authorization: `Bearer ${ADMIN}` }).get(`/v1/admin/audit?userId=${userId}&limit=100`)).json.events as { type: string; data: Record<string, unknown> }[];
  const signedIn = async (email: string) => {
    const c = new Client(server.url);
    await c.post('/v1/signup', { email, password: PASSWORD });
    const { json } = await c.post('/v1/login', { email, password: PASSWORD });
    const { secret } = (await c.post('/v1/totp/setup')).json;
    return { c, userId: json.user.id as string, secret: secret as string };
  };
  /** 30 codes of the right form that the authenticator does not show now (nor a step either side). */
  const wrongCodes = async (secret: string) => {
    const now = Math.floor(Date.now() / 1000);
    const valid = await Promise.all([-30, 0, 30].map((s) => generate({ secret, epoch: now + s })));
    return Array.from({ length: 33 }, (_, i) => String(100000 + i * 7919)).filter((c) => !valid.includes(c)).slice(0, 30);
  };

  it('are throttled like sign-ins and audited as totp.failed', async () => {
    // Turning it off: 30 wrong codes one after another.
    const off = await signedIn('totp-off@example.com');
    await off.c.post('/v1/totp/enable', { code: await generate({ secret: off.secret }) });
    const statuses: number[] = [];
    for (const code of await wrongCodes(off.secret)) statuses.push((await off.c.post('/v1/totp/disable', { code })).status);
    expect(statuses).toEqual([...Array(5).fill(400), ...Array(25).fill(429)]);
    const refused = await off.c.post('/v1/totp/disable', { code: await nextCode(off.secret) });
    expect(refused.json.error.code).toBe('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const events = await audit(off.userId);
    expect(events.filter((e) => e.type === 'totp.failed').map((e) => e.data)).toEqual(Array(5).fill({ email: 'totp-off@example.com', step: 'totp_disable', factor: 'totp' }));
    expect(events.filter((e) => e.type === 'login.throttled' && e.data.step === 'totp_disable')).toHaveLength(26);
    expect(events.some((e) => e.type === 'totp.disabled')).toBe(false);

    // Turning it on: 30 wrong codes at once.
    const on = await signedIn('totp-on@example.com');
    const codes = await wrongCodes(on.secret);
    const answers = await Promise.all(codes.map((code) => on.c.post('/v1/totp/enable', { code })));
    expect(answers.filter((a) => a.status === 400)).toHaveLength(5);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(25);
    expect((await audit(on.userId)).filter((e) => e.type === 'totp.failed' && e.data.step === 'totp_enable')).toHaveLength(5);
  });
});
