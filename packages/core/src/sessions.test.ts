import { createMemoryStore } from '@sessiond/store-memory';
import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from './clock.ts';
import { SessiondError } from './errors.ts';
import { DEFAULT_CORE_CONFIG, DEFAULT_POLICY, touchInterval, type CoreConfig } from './policy.ts';
import { Sessiond } from './sessiond.ts';
import type { Store } from './store.ts';

// Plain-text "hashing" keeps these tests about sessions; argon2 is tested in the server.
const passwords = { hash: async (p: string) => `plain:${p}`, verify: async (h: string, p: string) => h === `plain:${p}` };
const CHROME = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0';

async function expectEnded(p: Promise<unknown>, reason: string) {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(SessiondError);
  expect((e as SessiondError).code).toBe('session_ended');
  expect((e as SessiondError).reason).toBe(reason);
  return e as SessiondError;
}

describe('Sessiond sessions', () => {
  let clock: ManualClock;
  let store: Store;
  let sd: Sessiond;
  const ctx = { ip: '192.0.2.1', userAgent: CHROME, passive: false };

  const make = async (config: Partial<CoreConfig> = {}, policy: Partial<CoreConfig['policy']> = {}) => {
    clock = new ManualClock();
    store = createMemoryStore();
    await store.init();
    sd = new Sessiond({ store, clock, passwords, config: { ...DEFAULT_CORE_CONFIG, ...config, policy: { ...DEFAULT_POLICY, ...policy } } });
    await sd.users.create('ada@example.com', 'correct horse battery');
  };
  const signIn = (extra: Partial<Parameters<Sessiond['signIn']>[0]> = {}) =>
    sd.signIn({ email: 'ada@example.com', password: 'correct horse battery', rememberMe: false, app: 'web', mode: 'cookie', ip: ctx.ip, userAgent: CHROME, ...extra });

  beforeEach(() => make());

  it('signs in and validates the token it issued', async () => {
    const { token, session } = await signIn();
    const v = await sd.sessions.validateToken(token, ctx);
    expect(v.id).toBe(session.id);
    expect(v.device.label).toBe('Chrome on macOS');
    expect(session.idleExpiresAt - session.createdAt).toBe(30 * 60_000);
    expect(session.absoluteExpiresAt - session.createdAt).toBe(12 * 3_600_000);
  });

  it('answers invalid_token for a token never issued or with a wrong secret', async () => {
    const { token } = await signIn();
    const wrong = token.slice(0, 23) + 'A'.repeat(43);
    await expect(sd.sessions.validateToken(wrong, ctx)).rejects.toMatchObject({ code: 'invalid_token' });
    await expect(sd.sessions.validateToken('garbage', ctx)).rejects.toMatchObject({ code: 'invalid_token' });
  });

  it('ends an idle session at its idle deadline, with the reason and when', async () => {
    const { token, session } = await signIn();
    clock.advance('30m');
    const e = await expectEnded(sd.sessions.validateToken(token, ctx), 'idle_timeout');
    expect(e.endedAt).toBe(session.idleExpiresAt);
    expect(e.message).toBe('You were signed out after 30 minutes without activity.');
    // The tombstone keeps explaining.
    clock.advance('1d');
    await expectEnded(sd.sessions.validateToken(token, ctx), 'idle_timeout');
  });

  it('activity slides the idle deadline; passive requests do not', async () => {
    const { token } = await signIn();
    clock.advance('20m');
    await sd.sessions.validateToken(token, { ...ctx, passive: true });
    clock.advance('11m');
    await expectEnded(sd.sessions.validateToken(token, ctx), 'idle_timeout');

    await make();
    const second = await signIn();
    clock.advance('20m');
    await sd.sessions.validateToken(second.token, ctx);
    clock.advance('29m');
    await expect(sd.sessions.validateToken(second.token, ctx)).resolves.toBeTruthy();
  });

  it('writes the idle slide at most once per max(1 % of idle, 1 s) and stays exact to that bound', async () => {
    const { token, session } = await signIn();
    const bound = touchInterval(session.idleTimeoutMs);
    expect(bound).toBe(18_000);
    let writes = 0;
    const update = store.updateSession.bind(store);
    store.updateSession = async (id, patch) => {
      writes++;
      return update(id, patch);
    };
    for (let i = 0; i < 100; i++) {
      clock.advance(100);
      await sd.sessions.validateToken(token, ctx);
    }
    expect(writes).toBe(0); // 10 s of activity < 18 s bound
    clock.advance(bound);
    const last = clock.now();
    await sd.sessions.validateToken(token, ctx);
    expect(writes).toBe(1);
    const stored = await store.findSession(session.id);
    expect(stored!.idleExpiresAt).toBe(last + session.idleTimeoutMs);
  });

  it('never extends past the absolute deadline', async () => {
    const { token, session } = await signIn();
    for (let t = 0; t < 12 * 60; t += 10) {
      clock.advance('10m');
      if (clock.now() >= session.absoluteExpiresAt) break;
      const s = await sd.sessions.extend(await sd.sessions.validateToken(token, ctx));
      expect(s.absoluteExpiresAt).toBe(session.absoluteExpiresAt);
    }
    const e = await expectEnded(sd.sessions.validateToken(token, ctx), 'absolute_timeout');
    expect(e.message).toBe('Sessions last at most 12 hours. Please sign in again.');
  });

  it('remember-me sessions use their own deadlines', async () => {
    const { session, deviceToken } = await signIn({ rememberMe: true });
    expect(session.idleExpiresAt - session.createdAt).toBe(7 * 86_400_000);
    expect(session.absoluteExpiresAt - session.createdAt).toBe(30 * 86_400_000);
    expect(session.trustedDeviceId).not.toBeNull();
    expect(deviceToken).toBeTruthy();
  });

  it('logout, revoke, revoke-others and revoke-all end sessions with their reasons', async () => {
    const a = await signIn();
    const b = await signIn({ userAgent: FIREFOX });
    const c = await signIn();
    await sd.revokeSession(a.session, b.session.id, false);
    const e = await expectEnded(sd.sessions.validateToken(b.token, ctx), 'revoked');
    expect(e.message).toContain('Chrome on macOS');
    await expect(sd.revokeSession(a.session, a.session.id, false)).rejects.toMatchObject({ code: 'current_session' });
    await expect(sd.revokeSession(a.session, b.session.id, false)).rejects.toMatchObject({ code: 'not_found' });
    expect(await sd.revokeOthers(a.session)).toBe(1);
    await expectEnded(sd.sessions.validateToken(c.token, ctx), 'revoked');
    await sd.sessions.validateToken(a.token, ctx);
    expect(await sd.revokeAll(a.session)).toBe(1);
    await expectEnded(sd.sessions.validateToken(a.token, ctx), 'revoked_all');
  });

  it("cannot end another user's session", async () => {
    const mine = await signIn();
    await sd.users.create('eve@example.com', 'another long password');
    const theirs = await sd.signIn({ email: 'eve@example.com', password: 'another long password', rememberMe: false, app: 'web', mode: 'cookie', ip: null, userAgent: null });
    await expect(sd.revokeSession(theirs.session, mine.session.id, false)).rejects.toMatchObject({ code: 'not_found' });
    await sd.sessions.validateToken(mine.token, ctx);
  });

  it('a password change ends the other sessions and renews this one', async () => {
    const a = await signIn();
    const b = await signIn();
    const renewed = await sd.changePassword(a.session, 'correct horse battery', 'a brand new passphrase');
    await expectEnded(sd.sessions.validateToken(b.token, ctx), 'password_changed');
    await expect(sd.sessions.validateToken(a.token, ctx)).rejects.toMatchObject({ code: 'invalid_token' });
    await sd.sessions.validateToken(renewed.token, ctx);
    await expect(signIn()).rejects.toMatchObject({ code: 'invalid_credentials' });
  });

  it('unknown email and wrong password give the same answer', async () => {
    await expect(signIn({ password: 'wrong password!' })).rejects.toMatchObject({ code: 'invalid_credentials', message: 'The email or password is not correct.' });
    await expect(signIn({ email: 'nobody@example.com' })).rejects.toMatchObject({ code: 'invalid_credentials', message: 'The email or password is not correct.' });
  });

  it('evicts the oldest session past the limit, naming the device that took its place', async () => {
    await make({}, { maxSessions: 2 });
    const a = await signIn();
    clock.advance('1s');
    const b = await signIn();
    clock.advance('1s');
    await signIn({ userAgent: FIREFOX });
    const e = await expectEnded(sd.sessions.validateToken(a.token, ctx), 'concurrent_limit');
    expect(e.message).toBe('You signed in on another device (Firefox on Windows), and this app allows at most 2 sessions at a time.');
    await sd.sessions.validateToken(b.token, ctx);
  });

  it('rejects a sign-in past the limit when so configured', async () => {
    await make({}, { maxSessions: 1, onMaxSessions: 'reject' });
    await signIn();
    await expect(signIn()).rejects.toMatchObject({ code: 'concurrent_limit' });
  });

  it('strict IP binding ends the session on a new address; subnet binding allows the same /24', async () => {
    await make({}, { bindIp: 'subnet' });
    const { token } = await signIn();
    await sd.sessions.validateToken(token, { ...ctx, ip: '192.0.2.77' });
    await expectEnded(sd.sessions.validateToken(token, { ...ctx, ip: '198.51.100.1' }), 'ip_changed');
  });

  it('device binding ends on another browser but not on a version update', async () => {
    await make({}, { bindDevice: 'strict' });
    const { token } = await signIn();
    await sd.sessions.validateToken(token, { ...ctx, userAgent: CHROME.replace('Chrome/120', 'Chrome/121') });
    await expectEnded(sd.sessions.validateToken(token, { ...ctx, userAgent: FIREFOX }), 'device_changed');
  });

  it('without binding, a network change is recorded on the session and in the audit log', async () => {
    const { token, session } = await signIn();
    const v = await sd.sessions.validateToken(token, { ...ctx, ip: '198.51.100.9' });
    expect(v.ipLast).toBe('198.51.100.9');
    expect(v.ipFirst).toBe('192.0.2.1');
    const events = await store.listEvents({ sessionId: session.id, limit: 10 });
    expect(events.map((e) => e.type)).toContain('session.ip_changed');
  });

  it('sweeps timed-out sessions into tombstones and forgets them after the tombstone TTL', async () => {
    await make({ tombstoneTtlMs: 60_000 });
    const { token, session } = await signIn();
    clock.advance('30m');
    clock.advance('10s');
    expect((await sd.sessions.sweep()).timedOut).toBe(1);
    await expectEnded(sd.sessions.validateToken(token, ctx), 'idle_timeout');
    const events = await store.listEvents({ sessionId: session.id, limit: 10 });
    expect(events[0]).toMatchObject({ type: 'session.ended', reason: 'idle_timeout' });
    clock.advance('2m');
    sd.sessions.cache.clear();
    expect((await sd.sessions.sweep()).purged).toBe(1);
    await expect(sd.sessions.validateToken(token, ctx)).rejects.toMatchObject({ code: 'invalid_token' });
  });

  it('an ending published by another node drops the cached copy at once', async () => {
    const { token, session } = await signIn();
    await sd.sessions.validateToken(token, ctx);
    expect(sd.sessions.cache.get(session.id, clock.now())).toBeTruthy();
    // Another node ends it directly in the store and publishes the event.
    const ended = await store.endSession(session.id, { at: clock.now(), reason: 'revoked_by_admin', purgeAt: clock.now() + 1000 });
    await store.recordEvent({ type: 'session.ended', at: clock.now(), userId: ended!.userId, sessionId: ended!.id, ip: null, reason: 'revoked_by_admin', data: {} });
    await new Promise((r) => setTimeout(r, 10));
    await expectEnded(sd.sessions.validateToken(token, ctx), 'revoked_by_admin');
  });

  it('marks a sign-in newDevice when this account never signed in from that device and app (within a year)', async () => {
    const newDevice = async () => (await store.listEvents({ limit: 1 }))[0]!.data.newDevice;
    await signIn();
    expect(await newDevice()).toBe(true);
    await signIn();
    expect(await newDevice()).toBe(false);
    await signIn({ userAgent: FIREFOX });
    expect(await newDevice()).toBe(true);
    await signIn({ app: 'desktop' });
    expect(await newDevice()).toBe(true);
    clock.advance('366d');
    await signIn();
    expect(await newDevice()).toBe(true);
  });
});
