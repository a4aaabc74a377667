import { afterEach, describe, expect, it } from 'vitest';
import { createSessionClient, type SessionClient } from './client.ts';

const future = (ms: number) => new Date(Date.now() + ms).toISOString();
const user = { id: 'u1', email: 'a@example.com', createdAt: future(0), totpEnabled: false };
const session = (id = 's1') => ({
  id, userId: 'u1', app: 'web', current: true, createdAt: future(0), lastActiveAt: future(0), idleExpiresAt: future(30 * 60_000),
  absoluteExpiresAt: future(12 * 3600_000), expiresAt: future(30 * 60_000), warnAt: future(28 * 60_000), rememberMe: false,
  trustedDevice: false, device: { browser: 'Chrome', os: 'Linux', type: 'desktop', label: 'Chrome on Linux' }, location: null, ip: null,
});
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const ended = () => json(401, { error: { code: 'session_ended', message: 'You were signed out after 30 minutes without activity.', reason: 'idle_timeout', endedAt: future(0) } });

/** A scripted server: records every request and answers from `routes`. */
function fakeServer(routes: Record<string, (req: Request) => Response | Promise<Response>>) {
  const seen: Request[] = [];
  const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = new Request(input instanceof Request ? input : new URL(String(input), 'http://test'), init);
    seen.push(req.clone());
    const path = new URL(req.url).pathname;
    const route = routes[`${req.method} ${path}`];
    if (path === '/v1/session/events') return new Response(new ReadableStream(), { status: 200 });
    return route ? route(req) : json(404, { error: { code: 'not_found', message: 'no' } });
  }) as typeof fetch;
  return { seen, fetchFn };
}

function memoryStorage() {
  const memory = new Map<string, string>();
  const storage = {
    getItem: (k: string) => memory.get(k) ?? null,
    setItem: (k: string, v: string) => void memory.set(k, v),
    removeItem: (k: string) => void memory.delete(k),
    key: (i: number) => [...memory.keys()][i] ?? null,
    get length() {
      return memory.size;
    },
    clear: () => memory.clear(),
  } as Storage;
  return { memory, storage };
}

let client: SessionClient | null = null;
afterEach(() => client?.stop());

describe('createSessionClient', () => {
  it('a sign-in whose cookie does not come back fails with cookies_blocked, and ends the unusable session', async () => {
    const srv = fakeServer({
      'POST /v1/login': () => json(200, { user, session: session(), token: 'tok' }),
      'GET /v1/session': () => json(401, { error: { code: 'unauthenticated', message: 'Please sign in to continue.' } }),
      'POST /v1/logout': () => new Response(null, { status: 204 }),
    });
    client = createSessionClient({ baseUrl: 'http://test', fetch: srv.fetchFn, storage: null, autoStart: false });
    await expect(client.signIn({ email: 'a@example.com', password: 'pw' })).rejects.toMatchObject({ code: 'cookies_blocked' });
    expect(client.getState().status).not.toBe('signed-in');
    await new Promise((r) => setTimeout(r, 0));
    expect(srv.seen.find((r) => r.url.endsWith('/v1/logout'))?.headers.get('authorization')).toBe('Bearer tok');
  });

  it('completing a device-limit choice: no browser cookie back, or no session cookie back, fails with cookies_blocked', async () => {
    const refusedChoice = () => json(401, { error: { code: 'invalid_credentials', message: 'That choice has expired or was already used. Please sign in again.', details: { field: 'choiceToken', browserCookie: 'missing' } } });
    const noCookie = () => json(401, { error: { code: 'unauthenticated', message: 'Please sign in to continue.' } });
    const choice = { choiceToken: 'c1', endSessionId: 's0' };
    client = createSessionClient({ baseUrl: 'http://test', fetch: fakeServer({ 'POST /v1/login': refusedChoice }).fetchFn, storage: null, autoStart: false });
    await expect(client.completeSignIn(choice)).rejects.toMatchObject({ code: 'cookies_blocked' });
    client.stop();
    const srv = fakeServer({ 'POST /v1/login': () => json(200, { user, session: session(), token: 'tok' }), 'GET /v1/session': noCookie, 'POST /v1/logout': () => new Response(null, { status: 204 }) });
    client = createSessionClient({ baseUrl: 'http://test', fetch: srv.fetchFn, storage: null, autoStart: false });
    await expect(client.completeSignIn(choice)).rejects.toMatchObject({ code: 'cookies_blocked' });
    expect(client.getState().status).not.toBe('signed-in');
    await new Promise((r) => setTimeout(r, 0));
    expect(srv.seen.find((r) => r.url.endsWith('/v1/logout'))?.headers.get('authorization')).toBe('Bearer tok');
    // An expired choice is still just that.
    client.stop();
    const expired = () => json(401, { error: { code: 'invalid_credentials', message: 'That choice has expired or was already used. Please sign in again.', details: { field: 'choiceToken' } } });
    client = createSessionClient({ baseUrl: 'http://test', fetch: fakeServer({ 'POST /v1/login': expired }).fetchFn, storage: null, autoStart: false });
    await expect(client.completeSignIn(choice)).rejects.toMatchObject({ code: 'invalid_credentials' });
  });

  it('no cookie on load while the marker says the session had time: cookies_removed; without it, nothing claimed', async () => {
    const noCookie = () => json(401, { error: { code: 'unauthenticated', message: 'Please sign in to continue.' } });
    const { storage } = memoryStorage();
    storage.setItem('sessiond:marker:web', JSON.stringify({ who: 'x', until: Date.now() + 60_000, kept: true }));
    client = createSessionClient({ baseUrl: 'http://test', fetch: fakeServer({ 'GET /v1/session': noCookie }).fetchFn, storage });
    expect((await client.start()).ending).toMatchObject({ cause: 'cookies_removed', reason: null });
    expect(storage.getItem('sessiond:marker:web')).toBeNull(); // used once
    client.stop();
    // Without "Keep me signed in" the cookie was meant to go when the browser closed.
    storage.setItem('sessiond:marker:web', JSON.stringify({ who: 'x', until: Date.now() + 60_000, kept: false }));
    client = createSessionClient({ baseUrl: 'http://test', fetch: fakeServer({ 'GET /v1/session': noCookie }).fetchFn, storage });
    expect((await client.start()).ending).toMatchObject({ cause: 'browser_closed', reason: null });
    client.stop();
    storage.setItem('sessiond:marker:web', JSON.stringify({ who: 'x', until: Date.now() - 1_000 }));
    client = createSessionClient({ baseUrl: 'http://test', fetch: fakeServer({ 'GET /v1/session': noCookie }).fetchFn, storage });
    expect((await client.start()).ending).toBeNull(); // its time was up: probably a timeout, not a removal
  });

  it('a damaged cookie (details.credential) gets cookie_damaged', async () => {
    const damaged = () => json(401, { error: { code: 'invalid_token', message: 'Damaged.', details: { credential: 'damaged' } } });
    client = createSessionClient({ baseUrl: 'http://test', fetch: fakeServer({ 'GET /v1/session': damaged }).fetchFn, storage: null });
    expect((await client.start()).ending).toMatchObject({ cause: 'cookie_damaged' });
  });

  it('checks the session passively on start', async () => {
    const srv = fakeServer({ 'GET /v1/session': () => json(200, { user, session: session() }) });
    client = createSessionClient({ baseUrl: 'http://test', fetch: srv.fetchFn, storage: null });
    const state = await client.start();
    expect(state.status).toBe('signed-in');
    expect(srv.seen[0]!.headers.get('x-sessiond-passive')).toBe('1');
  });

  it('holds a request refused with session_ended and sends it once after sign-in, same Idempotency-Key', async () => {
    let attempts = 0;
    const srv = fakeServer({
      'GET /v1/session': () => json(200, { user, session: session() }),
      'POST /v1/demo/expense-reports': () => (++attempts === 1 ? ended() : json(201, { id: 'r1', duplicate: false })),
      'POST /v1/login': () => json(200, { user, session: session('s2'), token: 't' }),
    });
    client = createSessionClient({ baseUrl: 'http://test', fetch: srv.fetchFn, storage: null });
    await client.start();
    const pending = client.fetch('/v1/demo/expense-reports', { method: 'POST', body: '{"title":"Trip"}', headers: { 'content-type': 'application/json' } });
    await new Promise((r) => setTimeout(r, 20));
    expect(client.getState().status).toBe('ended');
    expect(client.getState().ending?.message).toMatch(/without activity/);
    expect(client.getState().heldRequests).toBe(1);
    await client.signIn({ email: user.email, password: 'pw' });
    const res = await pending;
    expect(res.status).toBe(201);
    const posts = srv.seen.filter((r) => r.url.endsWith('/v1/demo/expense-reports'));
    expect(posts).toHaveLength(2);
    const keys = posts.map((r) => r.headers.get('idempotency-key'));
    expect(keys[0]).toBeTruthy();
    expect(keys[1]).toBe(keys[0]);
    expect(await posts[1]!.text()).toBe('{"title":"Trip"}');
  });

  it('does not send a held request when someone else signs in', async () => {
    const srv = fakeServer({
      'GET /v1/session': () => json(200, { user, session: session() }),
      'POST /v1/demo/expense-reports': () => ended(),
      'POST /v1/login': () => json(200, { user: { ...user, id: 'u2' }, session: session('s3'), token: 't' }),
    });
    client = createSessionClient({ baseUrl: 'http://test', fetch: srv.fetchFn, storage: null });
    await client.start();
    const pending = client.fetch('/v1/demo/expense-reports', { method: 'POST', body: '{}' });
    await new Promise((r) => setTimeout(r, 20));
    const signedIn = await client.signIn({ email: 'b@example.com', password: 'pw' });
    expect(signedIn.sameUser).toBe(false);
    await expect(pending).rejects.toMatchObject({ code: 'user_changed' });
  });

  it('token mode with a device clock ten minutes ahead: access tokens rotate by the server clock, not on every request', async () => {
    const { storage } = memoryStorage();
    const serverNow = () => Date.now() - 10 * 60_000;
    const at = (ms: number) => new Date(serverNow() + ms).toISOString();
    let refreshes = 0;
    // Every answer carries the server's Date, ten minutes behind this device.
    const withDate = (res: Response) => (res.headers.set('date', new Date(serverNow()).toUTCString()), res);
    const srv = fakeServer({
      'GET /v1/session': () => withDate(json(200, { user, session: session() })),
      'POST /v1/session/refresh': () => (refreshes++, withDate(json(200, { session: session(), accessToken: 'a2', accessTokenExpiresAt: at(5 * 60_000), refreshToken: 'r2' }))),
      'GET /v1/things': () => withDate(json(200, { ok: true })),
    });
    // A token with five minutes left by the server's clock: "expired" five minutes ago by the device's.
    storage.setItem('sessiond:tokens:web', JSON.stringify({ accessToken: 'a1', accessTokenExpiresAt: Date.parse(at(5 * 60_000)), refreshToken: 'r1', sessionId: 's1' }));
    client = createSessionClient({ baseUrl: 'http://test', mode: 'token', fetch: srv.fetchFn, storage });
    await client.start();
    for (let i = 0; i < 5; i++) expect((await client.fetch('/v1/things')).status).toBe(200);
    // At most the one before the first reading of the server's clock.
    expect(refreshes).toBeLessThanOrEqual(1);
  });

  it('treats a 503 at start as unknown, not signed out', async () => {
    const srv = fakeServer({ 'GET /v1/session': () => json(503, { error: { code: 'store_unavailable', message: 'later' } }) });
    client = createSessionClient({ baseUrl: 'http://test', fetch: srv.fetchFn, storage: null });
    expect((await client.start()).status).toBe('loading');
  });

  it('token mode: one refresh for concurrent requests, retried through a network drop', async () => {
    const { memory, storage } = memoryStorage();
    const presented: string[] = [];
    let drops = 1;
    const srv = fakeServer({
      'POST /v1/login': () => json(200, { user, session: session(), accessToken: 'a1', accessTokenExpiresAt: future(1_000), refreshToken: 'r1' }),
      'POST /v1/session/refresh': async (req) => {
        presented.push(((await req.json()) as { refreshToken: string }).refreshToken);
        if (drops-- > 0) throw new TypeError('Failed to fetch');
        return json(200, { session: session(), accessToken: 'a2', accessTokenExpiresAt: future(300_000), refreshToken: 'r2' });
      },
      'GET /v1/things': (req) => (req.headers.get('authorization') === 'Bearer a2' ? json(200, { ok: true }) : json(401, { error: { code: 'invalid_token', message: 'no' } })),
    });
    client = createSessionClient({ baseUrl: 'http://test', mode: 'token', fetch: srv.fetchFn, storage, autoStart: false });
    await client.signIn({ email: user.email, password: 'pw' });
    expect(srv.seen.find((r) => r.url.endsWith('/v1/login'))).toBeTruthy();
    const [one, two] = await Promise.all([client.fetch('/v1/things'), client.fetch('/v1/things')]);
    expect([one.status, two.status]).toEqual([200, 200]);
    // The dropped attempt and its retry presented the same token; the second request reused the result.
    expect(presented).toEqual(['r1', 'r1']);
    expect(JSON.parse(memory.get('sessiond:tokens:web')!)).toMatchObject({ accessToken: 'a2', refreshToken: 'r2', sessionId: 's1' });
  });

  it('token mode: the bearer token goes only to sessiond and the origins the app names', async () => {
    const srv = fakeServer({
      'POST /v1/login': () => json(200, { user, session: session(), accessToken: 'a1', accessTokenExpiresAt: future(300_000), refreshToken: 'r1' }),
      'GET /v1/things': () => json(200, { ok: true }),
    });
    client = createSessionClient({ baseUrl: 'http://test', mode: 'token', fetch: srv.fetchFn, storage: memoryStorage().storage, autoStart: false, tokenOrigins: ['https://api.example.com'] });
    await client.signIn({ email: user.email, password: 'pw' });
    for (const url of ['/v1/things', 'http://test/v1/things', 'https://api.example.com/v1/things', 'https://evil.example/v1/things', 'https://api.example.com.evil.example/v1/things', 'http://api.example.com/v1/things']) await client.fetch(url);
    const sent = srv.seen.filter((r) => r.url.endsWith('/v1/things')).map((r) => [r.url, r.headers.get('authorization')]);
    expect(sent).toEqual([
      ['http://test/v1/things', 'Bearer a1'],
      ['http://test/v1/things', 'Bearer a1'],
      ['https://api.example.com/v1/things', 'Bearer a1'],
      ['https://evil.example/v1/things', null],
      ['https://api.example.com.evil.example/v1/things', null],
      ['http://api.example.com/v1/things', null],
    ]);
    expect(() => createSessionClient({ tokenOrigins: ['https://api.example.com/v1'], autoStart: false })).toThrow(/not an origin/);
  });
});
