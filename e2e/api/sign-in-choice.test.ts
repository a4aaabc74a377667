import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startServer, type ServerProcess } from '../harness.ts';

const PASSWORD = 'correct horse battery';
const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';
const SAFARI_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';

/** SESSIOND_ON_MAX_SESSIONS=choose (SPEC §13): at the limit, the person picks a session to sign out. */
describe('a choice at the device limit', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    // Two web sessions at most; the desktop app keeps the default (evict the oldest) through the config file's absence.
    server = await startServer({ SESSIOND_MAX_SESSIONS: '2', SESSIOND_ON_MAX_SESSIONS: 'choose' });
  });
  afterAll(() => server.stop());

  let n = 0;
  /** An account signed in on two browsers (the limit), and a third browser whose sign-in is refused with a choice. */
  const atTheLimit = async () => {
    const email = `choice${++n}@example.com`;
    await new Client(server.url).post('/v1/signup', { email, password: PASSWORD });
    const laptop = new Client(server.url, { 'user-agent': FIREFOX_WINDOWS });
    const desk = new Client(server.url);
    for (const b of [laptop, desk]) expect((await b.post('/v1/login', { email, password: PASSWORD })).status).toBe(200);
    const mac = new Client(server.url, { 'user-agent': SAFARI_MAC });
    const refused = await mac.post('/v1/login', { email, password: PASSWORD });
    return { email, laptop, desk, mac, refused };
  };

  it('answers 409 with the sessions in the way and a choice token; choosing ends that one, naming this device, with no second password', async () => {
    const { laptop, mac, refused } = await atTheLimit();
    expect(refused.status).toBe(409);
    expect(refused.json.error).toMatchObject({ code: 'concurrent_limit', message: "You're signed in on 2 devices, the most this app allows. Choose one to sign out, and you will be signed in here." });
    const { sessions, choiceToken, limit } = refused.json.error.details;
    expect(limit).toBe(2);
    expect(sessions.map((s: { device: { label: string } }) => s.device.label).sort()).toEqual(['Firefox on Windows', 'node']);
    expect(typeof choiceToken).toBe('string');
    // The token is bound to this browser: the refusal gave it its browser cookie.
    expect(mac.cookies.has('sessiond_browser')).toBe(true);
    expect(mac.cookies.has('sessiond')).toBe(false);
    const laptopId = sessions.find((s: { device: { label: string } }) => s.device.label === 'Firefox on Windows').id;

    const chosen = await mac.post('/v1/login', { choiceToken, endSessionId: laptopId });
    expect(chosen.status).toBe(200);
    expect(chosen.json.session.device.label).toBe('Safari on macOS');
    expect(mac.cookies.has('sessiond')).toBe(true);
    expect((await mac.get('/v1/session')).status).toBe(200);
    const told = await laptop.get('/v1/session');
    expect(told.json.error).toMatchObject({ code: 'session_ended', reason: 'concurrent_limit', details: { byDevice: 'Safari on macOS' } });
    expect(told.json.error.message).toContain('Safari on macOS');
  });

  it('refuses the token a second time (replay), from another browser, forged, or for a session not in the way', async () => {
    const { email, mac, refused } = await atTheLimit();
    const { sessions, choiceToken } = refused.json.error.details;
    const [first, second] = sessions as { id: string }[];
    // Another browser (even of the same person, with the token copied) cannot use it.
    const thief = new Client(server.url);
    const stolen = await thief.post('/v1/login', { choiceToken, endSessionId: first!.id });
    expect(stolen.status).toBe(401);
    expect(stolen.json.error.code).toBe('invalid_credentials');
    // With no browser cookie at all it is said as such: in a browser, one that blocks cookies (issue #17).
    expect(stolen.json.error.details).toMatchObject({ field: 'choiceToken', browserCookie: 'missing' });
    // A forged or altered token.
    const [body, mac_] = (choiceToken as string).split('.');
    const altered = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), rememberMe: true })).toString('base64url');
    const forged = await mac.post('/v1/login', { choiceToken: `${altered}.${mac_}`, endSessionId: first!.id });
    expect(forged.status).toBe(401);
    expect(forged.json.error.details.browserCookie).toBeUndefined();
    // Someone else's session is not in the way: 404, and the token stays usable.
    const stranger = new Client(server.url);
    await stranger.post('/v1/signup', { email: `stranger${n}@example.com`, password: PASSWORD });
    const theirs = (await stranger.post('/v1/login', { email: `stranger${n}@example.com`, password: PASSWORD })).json.session.id;
    expect((await mac.post('/v1/login', { choiceToken, endSessionId: theirs })).status).toBe(404);
    expect((await stranger.get('/v1/session')).status).toBe(200);
    expect((await mac.post('/v1/login', { choiceToken, endSessionId: first!.id })).status).toBe(200);
    // Replay: used once, never again (the sign-in it made stands).
    const replay = await mac.post('/v1/login', { choiceToken, endSessionId: second!.id });
    expect(replay.status).toBe(401);
    expect(replay.json.error.code).toBe('invalid_credentials');
    const left = ((await mac.get('/v1/sessions')).json.sessions as { id: string }[]).map((s) => s.id);
    expect(left).toContain(second!.id);
    expect(left).not.toContain(first!.id);
    expect((await mac.post('/v1/login', { choiceToken: 'x.y', endSessionId: second!.id })).status).toBe(401);
    expect((await mac.post('/v1/login', { choiceToken })).json.error.details.field).toBe('endSessionId');
    expect((await mac.post('/v1/login', { email })).json.error.details.field).toBe('password');
  });
});

describe('a choice at the device limit, for one app only (SESSIOND_CONFIG)', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    const config = join(mkdtempSync(join(tmpdir(), 'sessiond-choice-')), 'config.json');
    writeFileSync(config, JSON.stringify({ apps: { desktop: { maxSessions: 1, onMaxSessions: 'choose' } } }));
    server = await startServer({ SESSIOND_CONFIG: config, SESSIOND_MAX_SESSIONS: '1' });
  });
  afterAll(() => server.stop());

  it('asks in that app, and evicts the oldest as configured elsewhere', async () => {
    await new Client(server.url).post('/v1/signup', { email: 'perapp@example.com', password: PASSWORD });
    const login = (b: Client, app: string) => b.post('/v1/login', { email: 'perapp@example.com', password: PASSWORD, app });
    const [one, two] = [new Client(server.url), new Client(server.url)];
    expect((await login(one, 'web')).status).toBe(200);
    expect((await login(two, 'web')).status).toBe(200);
    expect((await one.get('/v1/session')).json.error.reason).toBe('concurrent_limit');
    expect((await login(one, 'desktop')).status).toBe(200);
    const asked = await login(two, 'desktop');
    expect(asked.status).toBe(409);
    const { choiceToken, sessions } = asked.json.error.details;
    const done = await two.post('/v1/login', { choiceToken, endSessionId: sessions[0].id });
    expect(done.status).toBe(200);
    expect(done.json.session.app).toBe('desktop');
  });
});
