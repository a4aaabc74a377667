import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client, startServer, type ServerProcess } from '../harness.ts';

const PASSWORD = 'correct horse battery';
const WINDOWS_CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36';
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
// A public address the bundled location database places (approximately); tests read what it says.
const PARIS_IP = '81.56.0.1';

// The shared-store projects run this on Redis and PostgreSQL; the default run adds SQLite to memory.
const stores: Record<string, Record<string, string>> = { 'the run’s store': {} };
if (!inject('e2eStore')) stores.sqlite = { SESSIOND_STORE: `sqlite:${join(mkdtempSync(join(tmpdir(), 'sessiond-e2e-')), 'sessiond.db')}` };

describe.each(Object.entries(stores))('recent activity (GET /v1/activity) on %s', (_store, storeEnv) => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer({ SESSIOND_TRUST_PROXY: '1', ...storeEnv });
  });
  afterAll(() => server.stop());

  const browser = (ua: string, ip = '203.0.113.7') => new Client(server.url, { 'user-agent': ua, 'x-forwarded-for': ip });
  const signUp = (email: string) => new Client(server.url).post('/v1/signup', { email, password: PASSWORD });

  it("shows the person's sign-ins, endings with who ended them, and failed sign-ins as a count with a place; never another person's", async () => {
    await signUp('activity-a@example.com');
    await signUp('activity-b@example.com');
    const laptop = browser(WINDOWS_CHROME);
    const phone = browser(IPHONE);
    const stranger = browser(WINDOWS_CHROME, PARIS_IP);
    const other = browser(WINDOWS_CHROME);
    expect((await laptop.post('/v1/login', { email: 'activity-a@example.com', password: PASSWORD })).status).toBe(200);
    expect((await other.post('/v1/login', { email: 'activity-b@example.com', password: PASSWORD })).status).toBe(200);
    for (let i = 0; i < 3; i++) {
      const wrong = await stranger.post('/v1/login', { email: 'activity-a@example.com', password: `guess-${i}-secret` });
      expect(wrong.status).toBe(401);
    }
    expect((await phone.post('/v1/login', { email: 'activity-a@example.com', password: PASSWORD })).status).toBe(200);
    const laptopId = (await laptop.get('/v1/session')).json.session.id as string;
    expect((await phone.delete(`/v1/sessions/${laptopId}`)).status).toBe(204);

    const res = await phone.get('/v1/activity');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const events = res.json.events as { id: string; type: string; message: string; reason?: string; sessionId: string | null; device: string | null; count?: number; location: unknown }[];
    expect(events.map((e) => e.type)).toEqual(['session.ended', 'session.started', 'login.failed', 'session.started']);
    const [ended, phoneIn, failed, laptopIn] = events;
    expect(ended).toMatchObject({ reason: 'revoked', sessionId: laptopId, device: 'Chrome on Windows', message: 'Signed out from Chrome on Windows (Web) — you logged it out from Safari on iOS' });
    expect(phoneIn!.message).toContain('Safari on iOS');
    expect(laptopIn!.sessionId).toBe(laptopId);
    expect(failed!.count).toBe(3);
    expect(failed!.sessionId).toBeNull();
    expect(failed!.message).toMatch(/^3 failed sign-in attempts (near .+|from an unknown place) \(Chrome on Windows\)$/);
    // Never what was typed.
    expect(res.text).not.toContain('guess-');
    // The other person sees only their own sign-in.
    const theirs = (await other.get('/v1/activity')).json.events as { type: string; message: string }[];
    expect(theirs.map((e) => e.type)).toEqual(['session.started']);
    expect(JSON.stringify(theirs)).not.toContain(laptopId);
  });

  it('pages back with before=, newest first, and refuses bad paging with a 400', async () => {
    await signUp('activity-pages@example.com');
    const b = browser(WINDOWS_CHROME);
    for (let i = 0; i < 3; i++) {
      await b.post('/v1/login', { email: 'activity-pages@example.com', password: PASSWORD });
      await b.post('/v1/logout');
    }
    await b.post('/v1/login', { email: 'activity-pages@example.com', password: PASSWORD });
    const all = (await b.get('/v1/activity?limit=100')).json.events as { id: string; type: string }[];
    expect(all).toHaveLength(7);
    const first = (await b.get('/v1/activity?limit=3')).json.events as { id: string }[];
    const second = (await b.get(`/v1/activity?limit=3&before=${encodeURIComponent(first.at(-1)!.id)}`)).json.events as { id: string }[];
    const third = (await b.get(`/v1/activity?limit=3&before=${encodeURIComponent(second.at(-1)!.id)}`)).json.events as { id: string }[];
    expect([...first, ...second, ...third].map((e) => e.id)).toEqual(all.map((e) => e.id));
    const bad = await b.get('/v1/activity?limit=0');
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('invalid_request');
    // Not an event id of any store (Redis refused it as a stream id: a 500).
    for (const before of ['abc', '1-2-3', '-1']) expect((await b.get(`/v1/activity?before=${before}`)).status, before).toBe(400);
    expect((await new Client(server.url).get('/v1/activity')).status).toBe(401);
  });

  it('a password change and two-step changes are listed; a log-out of all sessions names the device it came from', async () => {
    await signUp('activity-changes@example.com');
    const laptop = browser(WINDOWS_CHROME);
    const phone = browser(IPHONE);
    await laptop.post('/v1/login', { email: 'activity-changes@example.com', password: PASSWORD, rememberMe: true });
    await phone.post('/v1/login', { email: 'activity-changes@example.com', password: PASSWORD });
    expect((await laptop.post('/v1/password', { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' })).status).toBe(200);
    const messages = ((await laptop.get('/v1/activity')).json.events as { type: string; message: string }[]).map((e) => `${e.type}: ${e.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        'password.changed: Password changed on Chrome on Windows',
        'session.ended: Signed out from Safari on iOS (Web) — your password was changed',
        'devices.untrusted: Your trusted devices were forgotten because your password was changed',
        'device.trusted: Chrome on Windows is now a trusted device (Keep me signed in)',
      ]),
    );
    await phone.post('/v1/login', { email: 'activity-changes@example.com', password: 'a brand new passphrase' });
    expect((await laptop.post('/v1/sessions/revoke-all')).status).toBe(200);
    const told = await phone.get('/v1/session');
    expect(told.json.error).toMatchObject({ reason: 'revoked_all', message: 'You signed out of all sessions from Chrome on Windows.' });
  });
});
