import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateWebRequest, createSessionGuard, expressGuard, fastifyGuard, honoGuard, type SessiondAuth, type SessionGuard } from '@sessiond/node';
import { Client, createAppKey, startAdminServer, type ServerProcess } from '../harness.ts';

const PASSWORD = 'correct horse battery';

/** @sessiond/node against a real sessiond, in a real Express and Fastify (SPEC §11). */
describe('@sessiond/node', () => {
  let sessiond: ServerProcess;
  let appKey: string;
  const guards: SessionGuard[] = [];
  const closers: Array<() => unknown> = [];
  beforeAll(async () => {
    const started = await startAdminServer();
    sessiond = started.server;
    appKey = (await createAppKey(started.admin, 'web', ['events:read'], 'express app')).secret;
  });
  afterAll(async () => {
    for (const g of guards) g.close();
    for (const c of closers) await c();
    await sessiond?.stop();
  });

  /** A guard whose calls to sessiond are counted and whose headers are recorded (the real fetch underneath). */
  const guardFor = async (o: { cacheTtlMs?: number; url?: string; appKey?: string | undefined } = {}) => {
    const calls: Array<{ url: string; headers: Headers }> = [];
    const guard = createSessionGuard({
      url: o.url ?? sessiond.url,
      appKey: 'appKey' in o ? o.appKey : appKey,
      cacheTtlMs: o.cacheTtlMs ?? 60_000,
      timeoutMs: 2_000,
      fetch: (async (url: string, init?: RequestInit) => {
        if (!String(url).endsWith('/v1/admin/events')) calls.push({ url: String(url), headers: new Headers(init?.headers) });
        return fetch(url, init);
      }) as typeof fetch,
    });
    guards.push(guard);
    await guard.ready();
    return { guard, calls };
  };

  const person = async (email: string) => {
    const browser = new Client(sessiond.url);
    expect((await browser.post('/v1/signup', { email, password: PASSWORD })).status).toBe(201);
    const other = new Client(sessiond.url, { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1' });
    const signedIn = (await browser.post('/v1/login', { email, password: PASSWORD })).json;
    await other.post('/v1/login', { email, password: PASSWORD });
    return { browser, other, cookie: `sessiond=${signedIn.token}`, sessionId: signedIn.session.id as string, token: signedIn.token as string };
  };

  const listen = async (handler: express.Express) => {
    const server = handler.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    closers.push(() => new Promise((r) => server.close(r)));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  const expressApp = (guard: SessionGuard) => {
    const app = express();
    app.get('/me', expressGuard(guard), (req, res) => {
      const auth = (req as unknown as { sessiond: { user: { email: string }; session: { id: string } } }).sessiond;
      res.json({ email: auth.user.email, sessionId: auth.session.id });
    });
    app.get('/page', expressGuard(guard, { onRefused: { redirectTo: '/login' } }), (_req, res) => res.send('ok'));
    app.post('/logout', async (req, res) => {
      const out = await guard.signOut({ authorization: req.headers.authorization ?? null, cookie: req.headers.cookie ?? null });
      res.setHeader('set-cookie', out.setCookie).status(204).end();
    });
    return listen(app);
  };

  it('validates the cookie once, answers from its cache, and refuses within 1 s of an ending from another device, with the reason', async () => {
    const { guard, calls } = await guardFor();
    const url = await expressApp(guard);
    const p = await person('express@example.com');
    const me = () => fetch(`${url}/me`, { headers: { cookie: p.cookie, 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36' } });

    const first = await me();
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ email: 'express@example.com', sessionId: p.sessionId });
    expect((await me()).status).toBe(200);
    expect(calls).toHaveLength(1);
    // The person's own address and browser go to sessiond, vouched for by the app key; the credential as Bearer.
    expect(calls[0]!.headers.get('x-sessiond-client-ip')).toBe('127.0.0.1');
    expect(calls[0]!.headers.get('x-sessiond-client-user-agent')).toMatch(/Chrome\/130/);
    expect(calls[0]!.headers.get('x-sessiond-app-key')).toBe(appKey);
    expect(calls[0]!.headers.get('authorization')).toBe(`Bearer ${p.token}`);

    // Ended from the person's other device (their own API, as the Active sessions page does).
    const t0 = Date.now();
    expect((await p.other.delete(`/v1/sessions/${p.sessionId}`)).status).toBe(204);
    let r = await me();
    while (r.status === 200 && Date.now() - t0 < 2_000) r = await me();
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(r.status).toBe(401);
    const body = await r.json();
    expect(body).toMatchObject({ error: { code: 'session_ended', reason: 'revoked' } });
    expect(body.error.message).toMatch(/signed out/i);
    expect(body.error.endedAt).toEqual(expect.any(String));
    // Its dead cookie is removed, and only it: sessiond's Clear-Site-Data never reaches the app's browser.
    expect(r.headers.get('set-cookie')).toMatch(/^sessiond=; Path=\/; HttpOnly; SameSite=Lax; Max-Age=0$/);
    expect(r.headers.get('clear-site-data')).toBeNull();
    expect(r.headers.get('cache-control')).toBe('no-store');
  });

  it('redirects browsers to the sign-in page with the reason and where they were', async () => {
    const { guard } = await guardFor();
    const url = await expressApp(guard);
    const p = await person('redirect@example.com');
    await p.other.delete(`/v1/sessions/${p.sessionId}`);
    const r = await fetch(`${url}/page?tab=2`, { headers: { cookie: p.cookie }, redirect: 'manual' });
    expect(r.status).toBe(302);
    expect(r.headers.get('location')).toBe('/login?reason=revoked&next=%2Fpage%3Ftab%3D2');
    const none = await fetch(`${url}/page`, { redirect: 'manual' });
    expect(none.headers.get('location')).toBe('/login?next=%2Fpage');
    expect((await fetch(`${url}/me`)).status).toBe(401);
  });

  it('signs out through sessiond without passing its Clear-Site-Data on', async () => {
    const { guard } = await guardFor();
    const url = await expressApp(guard);
    const p = await person('logout@example.com');
    expect((await fetch(`${url}/me`, { headers: { cookie: p.cookie } })).status).toBe(200);
    const out = await fetch(`${url}/logout`, { method: 'POST', headers: { cookie: p.cookie } });
    expect(out.status).toBe(204);
    expect(out.headers.get('clear-site-data')).toBeNull();
    expect(out.headers.get('set-cookie')).toMatch(/^sessiond=;.*Max-Age=0/);
    // At once, on the cached entry too: signing out drops it here before sessiond's event comes back.
    const after = await (await fetch(`${url}/me`, { headers: { cookie: p.cookie } })).json();
    expect(after).toMatchObject({ error: { code: 'session_ended', reason: 'logged_out' } });
  });

  it('in Fastify and for a Web Request, with the cookie or an access token as Bearer', async () => {
    const { guard } = await guardFor();
    const f = Fastify();
    f.get('/me', { preHandler: fastifyGuard(guard) }, async (req) => ({ userId: (req as unknown as { sessiond: { user: { id: string } } }).sessiond.user.id }));
    await f.listen({ port: 0, host: '127.0.0.1' });
    closers.push(() => f.close());
    const p = await person('fastify@example.com');
    const r = await fetch(`http://127.0.0.1:${(f.server.address() as AddressInfo).port}/me`, { headers: { cookie: p.cookie } });
    expect(r.status).toBe(200);
    const tokens = (await new Client(sessiond.url).post('/v1/login', { email: 'fastify@example.com', password: PASSWORD, mode: 'token' })).json;
    const web = await authenticateWebRequest(guard, new Request('http://app/api', { headers: { authorization: `Bearer ${tokens.accessToken}` } }), { clientIp: '203.0.113.9' });
    expect(web).toMatchObject({ ok: true, auth: { session: { id: tokens.session.id } } });
    const refused = await authenticateWebRequest(guard, new Request('http://app/api', { headers: { authorization: 'Bearer nope.nope' } }));
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.response.status).toBe(401);
      // A bearer credential is the caller's, not a cookie of this app: nothing to clear.
      expect(refused.response.headers.get('set-cookie')).toBeNull();
    }
  });

  it('in Hono: c.get(\'sessiond\'), and the redirect for a browser whose session ended', async () => {
    const { guard } = await guardFor();
    const app = new Hono<{ Variables: { sessiond: SessiondAuth } }>();
    app.use('/account/*', honoGuard(guard, { redirectTo: '/login' }));
    app.get('/account/me', (c) => c.json({ email: c.get('sessiond').user.email }));
    const p = await person('hono@example.com');
    const ok = await app.request('/account/me', { headers: { cookie: p.cookie } });
    expect(await ok.json()).toEqual({ email: 'hono@example.com' });
    const del = await p.other.delete(`/v1/sessions/${p.sessionId}`);
    expect(del.status, del.text).toBe(204);
    let r = ok;
    const t0 = Date.now();
    // In-process requests answered from the cache never yield to I/O: give the feed's socket a turn.
    for (; r.status === 200 && Date.now() - t0 < 2_000; await new Promise((w) => setTimeout(w, 10))) r = await app.request('/account/me', { headers: { cookie: p.cookie } });
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(r.status).toBe(302);
    expect(r.headers.get('location')).toBe('/login?reason=revoked&next=%2Faccount%2Fme');
    expect(r.headers.get('set-cookie')).toMatch(/^sessiond=;/);
  });

  it('caches only its own app’s sessions: the feed of its key would not tell of another app’s endings', async () => {
    const { guard, calls } = await guardFor();
    const email = 'desktop@example.com';
    const c = new Client(sessiond.url);
    await c.post('/v1/signup', { email, password: PASSWORD });
    const desktop = (await c.post('/v1/login', { email, password: PASSWORD, app: 'desktop' })).json.token;
    for (let i = 0; i < 3; i++) expect((await guard.check({ cookie: `sessiond=${desktop}` })).ok).toBe(true);
    expect(calls).toHaveLength(3);
  });

  it('without an app key it caches nothing (no feed to hear endings by)', async () => {
    const { guard, calls } = await guardFor({ appKey: undefined });
    const p = await person('nokey@example.com');
    for (let i = 0; i < 3; i++) expect((await guard.check({ cookie: p.cookie })).ok).toBe(true);
    expect(calls).toHaveLength(3);
    expect(calls[0]!.headers.get('x-sessiond-app-key')).toBeNull();
  });

  it('an outage of sessiond answers 503 store_unavailable, never session_ended', async () => {
    const { server: own, admin } = await startAdminServer({ SESSIOND_STORE: 'memory:' });
    try {
      const key = (await createAppKey(admin, 'web', ['events:read'], 'x')).secret;
      const { guard } = await guardFor({ url: own.url, appKey: key });
      const c = new Client(own.url);
      await c.post('/v1/signup', { email: 'outage@example.com', password: PASSWORD });
      const token = (await c.post('/v1/login', { email: 'outage@example.com', password: PASSWORD })).json.token;
      expect((await guard.check({ cookie: `sessiond=${token}` })).ok).toBe(true);
      await own.stop();
      // The feed's cut empties the cache: the next request asks sessiond, which is gone.
      let outcome = await guard.check({ cookie: `sessiond=${token}` });
      for (const t0 = Date.now(); outcome.ok && Date.now() - t0 < 2_000; ) outcome = await guard.check({ cookie: `sessiond=${token}` });
      expect(outcome).toMatchObject({ ok: false, refusal: { status: 503, retryAfter: 5, body: { error: { code: 'store_unavailable' } } } });
      expect(guard.stats.feedConnected).toBe(false);
    } finally {
      await own.stop();
    }
  });
});
