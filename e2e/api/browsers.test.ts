import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client, startServer, type ServerProcess } from '../harness.ts';

const PASSWORD = 'correct horse battery';
const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';

/** One row per browser (SPEC §13): `browserId` in SessionView, and ending one browser's sessions. */
// The shared-store projects run this on Redis and PostgreSQL; the default run adds SQLite to memory.
const stores: Record<string, Record<string, string>> = { 'the run’s store': {} };
if (!inject('e2eStore')) stores.sqlite = { SESSIOND_STORE: `sqlite:${join(mkdtempSync(join(tmpdir(), 'sessiond-e2e-')), 'sessiond.db')}` };

describe.each(Object.entries(stores))('browsers (browserId, POST /v1/sessions/revoke-browser) on %s', (_store, storeEnv) => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer(storeEnv);
  });
  afterAll(() => server.stop());

  const signUp = (email: string) => new Client(server.url).post('/v1/signup', { email, password: PASSWORD });
  type View = { id: string; app: string; current: boolean; browserId: string | null };

  it("gives every session of one browser the same browserId from a long-lived HttpOnly cookie, and ends them together from another browser", async () => {
    await signUp('browsers@example.com');
    const laptop = new Client(server.url, { 'user-agent': FIREFOX_WINDOWS });
    const login = await laptop.post('/v1/login', { email: 'browsers@example.com', password: PASSWORD });
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith('sessiond_browser='))!;
    expect(cookie).toMatch(/; HttpOnly; SameSite=Lax; Max-Age=34560000$/);
    const webId = login.json.session.id as string;
    const browserId = login.json.session.browserId as string;
    expect(browserId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    // The cookie is not a credential: with it alone, nothing is signed in.
    expect((await new Client(server.url, { cookie: `sessiond_browser=${browserId}` }).get('/v1/session')).json.error.code).toBe('unauthenticated');
    // The same browser signs in to the desktop app too: the same browserId.
    const desktop = await laptop.post('/v1/login', { email: 'browsers@example.com', password: PASSWORD, app: 'desktop' });
    expect(desktop.json.session.browserId).toBe(browserId);

    const phone = new Client(server.url);
    await phone.post('/v1/login', { email: 'browsers@example.com', password: PASSWORD });
    const sessions = (await phone.get('/v1/sessions')).json.sessions as View[];
    expect(sessions).toHaveLength(3);
    const mine = sessions.find((s) => s.current)!;
    expect(mine.browserId).not.toBe(browserId);
    expect(sessions.filter((s) => s.browserId === browserId).map((s) => s.app).sort()).toEqual(['desktop', 'web']);

    // The person's activity marks the first sign-in of a browser as a new device, the second not.
    const starts = ((await phone.get('/v1/activity')).json.events as { type: string; newDevice?: boolean; sessionId: string }[]).filter((e) => e.type === 'session.started');
    expect(starts.map((e) => e.newDevice)).toEqual([true, false, true]);
    expect(starts[2]!.sessionId).toBe(webId);

    expect((await phone.post('/v1/sessions/revoke-browser', { browserId: mine.browserId })).json.error.code).toBe('current_session');
    const ended = await phone.post('/v1/sessions/revoke-browser', { browserId });
    expect(ended.status).toBe(200);
    expect(ended.json).toEqual({ ended: 2 });
    const told = await laptop.get('/v1/session');
    expect(told.json.error).toMatchObject({ code: 'session_ended', reason: 'revoked' });
    expect(((await phone.get('/v1/sessions')).json.sessions as View[]).map((s) => s.id)).toEqual([mine.id]);
    expect((await phone.post('/v1/sessions/revoke-browser', { browserId })).status).toBe(404);
  });

  it("never reaches another person's browser, even the same browser's", async () => {
    await signUp('browsers-a@example.com');
    await signUp('browsers-b@example.com');
    const shared = new Client(server.url);
    const a = await shared.post('/v1/login', { email: 'browsers-a@example.com', password: PASSWORD });
    const other = new Client(server.url);
    await other.post('/v1/login', { email: 'browsers-b@example.com', password: PASSWORD });
    const refused = await other.post('/v1/sessions/revoke-browser', { browserId: a.json.session.browserId });
    expect(refused.status).toBe(404);
    expect(refused.json.error.code).toBe('not_found');
    expect((await shared.get('/v1/session')).status).toBe(200);
    // The next person on the same browser gets the same browserId, and their own first sign-in from it is new to them.
    const browserCookie = shared.cookies.get('sessiond_browser')!;
    await shared.post('/v1/logout');
    shared.cookies.set('sessiond_browser', browserCookie);
    const b = await shared.post('/v1/login', { email: 'browsers-b@example.com', password: PASSWORD });
    expect(b.json.session.browserId).toBe(a.json.session.browserId);
    const starts = ((await shared.get('/v1/activity')).json.events as { type: string; newDevice?: boolean }[]).filter((e) => e.type === 'session.started');
    expect(starts.map((e) => e.newDevice)).toEqual([true, true]);
    // A copied browser id is not that browser: unsigned or re-signed by hand, the cookie is ignored.
    const copier = new Client(server.url);
    for (const forged of [a.json.session.browserId, `${a.json.session.browserId}.-.AAAAAAAAAAAAAAAAAAAAAA`]) {
      copier.cookies.set('sessiond_browser', forged);
      const c = await copier.post('/v1/login', { email: 'browsers-a@example.com', password: PASSWORD });
      expect(c.json.session.browserId).not.toBe(a.json.session.browserId);
      await copier.post('/v1/logout');
    }
    const bad = await other.post('/v1/sessions/revoke-browser', { browserId: '' });
    expect(bad.status).toBe(400);
  });
});
