import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from './api-error.ts';
import { createSessionClient, type SessionClient } from './client.ts';

const future = (ms: number) => new Date(Date.now() + ms).toISOString();
const user = { id: 'u1', email: 'a@example.com', createdAt: future(0), totpEnabled: false };
const session = (id: string) => ({
  id, userId: 'u1', app: 'web', current: true, createdAt: future(0), lastActiveAt: future(0), idleExpiresAt: future(30 * 60_000),
  absoluteExpiresAt: future(12 * 3600_000), expiresAt: future(30 * 60_000), warnAt: future(28 * 60_000), rememberMe: false,
  trustedDevice: false, device: { browser: 'Chrome', os: 'Linux', type: 'desktop', label: 'Chrome on Linux' }, location: null, ip: null,
});
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/**
 * A server holding one session's data under a version, as sessiond does (compare-and-set on
 * If-Match); `endNext` makes the next data call answer that the session ended.
 */
function dataServer() {
  const state = { sessionId: 's1', data: null as unknown, version: 0, endNext: false, puts: [] as Array<{ ifMatch: string | null; passive: string | null; session: string }> };
  const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = new Request(input instanceof Request ? input : new URL(String(input), 'http://test'), init);
    const path = `${req.method} ${new URL(req.url).pathname}`;
    if (path === 'GET /v1/session/events') return new Response(new ReadableStream(), { status: 200 });
    if (path === 'GET /v1/session') return json(200, { user, session: session(state.sessionId) });
    if (path === 'POST /v1/login') {
      state.sessionId = 's2';
      return json(200, { user, session: session('s2') });
    }
    if (path.endsWith(' /v1/session/data') && state.endNext) {
      state.endNext = false;
      return json(401, { error: { code: 'session_ended', message: 'You were signed out after 30 minutes without activity.', reason: 'idle_timeout', endedAt: future(0) } });
    }
    if (path === 'GET /v1/session/data') return json(200, { data: state.data, version: state.version });
    if (path === 'PUT /v1/session/data') {
      const ifMatch = req.headers.get('if-match');
      state.puts.push({ ifMatch, passive: req.headers.get('x-sessiond-passive'), session: state.sessionId });
      if (ifMatch !== `"${state.version}"`) return json(412, { error: { code: 'version_conflict', message: 'Someone else changed this first.', details: { version: state.version } } });
      state.data = ((await req.json()) as { data: unknown }).data;
      return json(200, { version: ++state.version });
    }
    return json(404, { error: { code: 'not_found', message: 'no' } });
  }) as typeof fetch;
  return { state, fetchFn };
}

let client: SessionClient | null = null;
afterEach(() => client?.stop());

describe('client.sessionData (SPEC §13)', () => {
  it('reads null at version 0, writes over the version read, and says so when another write came first', async () => {
    const srv = dataServer();
    client = createSessionClient({ baseUrl: 'http://test', fetch: srv.fetchFn, storage: null });
    await client.start();
    expect(await client.sessionData.get()).toEqual({ data: null, version: 0 });
    expect(await client.sessionData.put({ items: 1 }, { ifMatch: 0 })).toEqual({ version: 1 });
    expect(await client.sessionData.get<{ items: number }>()).toEqual({ data: { items: 1 }, version: 1 });
    // Background work, not the person's activity; the version goes as an entity tag.
    expect(srv.state.puts[0]).toMatchObject({ ifMatch: '"0"', passive: '1' });

    const stale = client.sessionData.put({ items: 2 }, { ifMatch: 0 });
    await expect(stale).rejects.toBeInstanceOf(ApiError);
    await expect(stale).rejects.toMatchObject({ status: 412, code: 'version_conflict', details: { version: 1 } });
    expect(srv.state.data).toEqual({ items: 1 });
  });

  it('a write refused because the session ended waits for the in-place sign-in, then reaches the new session', async () => {
    const srv = dataServer();
    client = createSessionClient({ baseUrl: 'http://test', fetch: srv.fetchFn, storage: null });
    await client.start();
    srv.state.endNext = true;
    const put = client.sessionData.put({ items: 3 }, { ifMatch: 0 });
    await new Promise((r) => setTimeout(r, 10));
    expect(client.getState()).toMatchObject({ status: 'ended', heldRequests: 1 });
    await client.signIn({ email: 'a@example.com', password: 'pw' });
    expect(await put).toEqual({ version: 1 });
    expect(srv.state.puts.map((p) => p.session)).toEqual(['s2']);
  });
});
