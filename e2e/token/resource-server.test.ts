import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier } from '@sessiond/verifier';
import { Client, readEvents, ROOT, startServer, type ServerSentEvent, type ServerProcess } from '../harness.ts';

const ADMIN = 'resource-server-admin-token-0123456789';
const PASSWORD = 'correct horse battery';

/** Reads SSE blocks from a response until `stop` says enough. */
/** The admin feed's events, by id and type, until `stop` says so. */
async function readFeed(res: Response, stop: (ids: string[], events: string[]) => boolean): Promise<{ ids: string[]; events: string[] }> {
  const split = (evs: ServerSentEvent[]) => ({ ids: evs.map((e) => e.id!), events: evs.map((e) => e.event) });
  return split(
    await readEvents(res, (evs) => {
      const { ids, events } = split(evs);
      return stop(ids, events);
    }),
  );
}

describe('resource servers', () => {
  let sessiond: ServerProcess;
  beforeAll(async () => {
    sessiond = await startServer({ SESSIOND_ADMIN_TOKEN: ADMIN, SESSIOND_ACCESS_TOKEN_TTL: '5m' });
  });
  afterAll(() => sessiond.stop());

  const eventsKey = async (app: string) => {
    const r = await new Client(sessiond.url, { authorization: `Bearer ${ADMIN}` }).post(`/v1/admin/apps/${app}/keys`, { label: 'resource server', scopes: ['events:read'] });
    return r.json.secret as string;
  };

  it('a separate resource server, holding only an events:read key, refuses a revoked session’s unexpired access token within 1 s', async () => {
    const rs = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'packages/verifier/examples/resource-server.ts')], {
      // The example's own default issuer is packages/verifier's (branch nodemw); the printed URL is the issuer.
      env: { ...process.env, SESSIOND_URL: sessiond.url, SESSIOND_ISSUER: sessiond.url, SESSIOND_APP_KEY: await eventsKey('web'), SESSIOND_APP: 'web', SESSIOND_ADMIN_TOKEN: '', PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const rsUrl = await new Promise<string>((resolve, reject) => {
        let out = '';
        rs.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /listening on (\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        rs.stderr!.on('data', (d: Buffer) => (out += d.toString()));
        rs.once('exit', (c) => reject(new Error(`resource server exited ${c}: ${out}`)));
      });
      const api = new Client(sessiond.url);
      await api.post('/v1/signup', { email: 'rs@example.com', password: PASSWORD });
      const t = (await api.post('/v1/login', { email: 'rs@example.com', password: PASSWORD, mode: 'token' })).json;
      const call = () => fetch(rsUrl + '/api/orders', { headers: { authorization: `Bearer ${t.accessToken}` } });
      expect((await call()).status).toBe(200);

      const t0 = Date.now();
      const admin = new Client(sessiond.url, { authorization: `Bearer ${ADMIN}` });
      expect((await admin.post(`/v1/admin/users/${t.user.id}/revoke-sessions`)).json.ended).toBe(1);
      let r = await call();
      while (r.status === 200 && Date.now() - t0 < 2000) r = await call();
      const elapsed = Date.now() - t0;
      expect(r.status).toBe(401);
      expect(await r.json()).toMatchObject({ error: { code: 'session_ended', reason: 'revoked_by_admin' } });
      expect(elapsed).toBeLessThan(1000);
      // The token itself is still far from its expiry: only the feed could have refused it.
      expect(Date.parse(t.accessTokenExpiresAt) - Date.now()).toBeGreaterThan(60_000);
    } finally {
      rs.kill('SIGTERM');
    }
  });

  it('the events feed resumes after a disconnect with Last-Event-ID, missing nothing and repeating nothing', async () => {
    const headers = { authorization: `Bearer ${ADMIN}` };
    const api = new Client(sessiond.url);
    await api.post('/v1/signup', { email: 'feed@example.com', password: PASSWORD });
    const login = () => api.post('/v1/login', { email: 'feed@example.com', password: PASSWORD, mode: 'token' });

    const first = await fetch(sessiond.url + '/v1/admin/events', { headers });
    const reading = readFeed(first, (ids) => ids.length >= 2);
    await new Promise((r) => setTimeout(r, 100));
    await login();
    await login();
    const seen = await reading; // then the subscriber goes away
    expect(seen.events).toEqual(['session.started', 'session.started']);

    await login();
    await login();
    await new Client(sessiond.url).post('/v1/logout', {}, { authorization: `Bearer ${(await login()).json.accessToken}` });

    const resumed = await fetch(sessiond.url + '/v1/admin/events', { headers: { ...headers, 'last-event-id': seen.ids[1]! } });
    const replay = readFeed(resumed, (_ids, events) => events.length >= 5);
    await new Promise((r) => setTimeout(r, 200));
    await login(); // live, after the replay
    const got = await replay;
    // Replayed: two sign-ins, a sign-in and its sign-out; then live: one more sign-in.
    expect(got.events).toEqual(['session.started', 'session.started', 'session.started', 'session.ended', 'session.started']);
    expect(new Set(got.ids).size).toBe(got.ids.length);
    expect(got.ids).not.toContain(seen.ids[0]);
    expect(got.ids).not.toContain(seen.ids[1]);
  });

  it('the feed gives its position at connect, so a verifier cut before any event resumes without a gap', async () => {
    const headers = { authorization: `Bearer ${ADMIN}` };
    // At connect, before any event: a bare id line (EventSource's lastEventId) and nothing else.
    const stop = new AbortController();
    const res = await fetch(sessiond.url + '/v1/admin/events', { headers, signal: stop.signal });
    const reader = res.body!.getReader();
    let head = '';
    while (!/^id: \S+$/m.test(head)) head += new TextDecoder().decode((await reader.read()).value);
    stop.abort();
    expect(head).toMatch(/^retry: 1000\n\nid: \S+\n\n$/);

    const api = new Client(sessiond.url);
    await api.post('/v1/signup', { email: 'quiet@example.com', password: PASSWORD });
    const t = (await api.post('/v1/login', { email: 'quiet@example.com', password: PASSWORD, mode: 'token' })).json;
    // The verifier's first connection is cut before any event arrives; its second is held back
    // until the session has been revoked, so only a resume from the connect position can tell it.
    const cut = new AbortController();
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const requests: Headers[] = [];
    const verifier = createVerifier({
      issuer: sessiond.url,
      jwksUrl: `${sessiond.url}/.well-known/jwks.json`,
      eventsUrl: `${sessiond.url}/v1/admin/events`,
      appKey: await eventsKey('web'),
      audience: 'web',
      onFeedError: () => {},
      fetch: async (url, init) => {
        requests.push(new Headers(init?.headers));
        if (requests.length === 1) return fetch(url, { ...init, signal: AbortSignal.any([init!.signal!, cut.signal]) });
        await released;
        return fetch(url, init);
      },
    });
    try {
      await verifier.ready();
      expect(await verifier.verify(t.accessToken)).toMatchObject({ sessionId: t.session.id });
      await new Promise((r) => setTimeout(r, 100));
      cut.abort();
      await new Promise((r) => setTimeout(r, 50));
      await new Client(sessiond.url, headers).post(`/v1/admin/users/${t.user.id}/revoke-sessions`);
      release();
      const t0 = Date.now();
      let refused: unknown = null;
      while (!refused && Date.now() - t0 < 3000) {
        refused = await verifier.verify(t.accessToken).then(() => null, (e: unknown) => e);
        if (!refused) await new Promise((r) => setTimeout(r, 50));
      }
      expect(refused).toMatchObject({ code: 'session_ended', reason: 'revoked_by_admin' });
      expect(requests[0]!.get('last-event-id')).toBeNull();
      expect(requests[1]!.get('last-event-id')).toMatch(/\S/);
    } finally {
      verifier.close();
    }
  });
});
