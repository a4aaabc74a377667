import { createMemoryStore } from '@sessiond/store-memory';
import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from './clock.ts';
import { SessiondError } from './errors.ts';
import { DEFAULT_CORE_CONFIG } from './policy.ts';
import { Sessiond } from './sessiond.ts';
import type { ProviderSignIn } from './sso.ts';

const passwords = { hash: async (p: string) => `plain:${p}`, verify: async (h: string, p: string) => h === `plain:${p}` };
const ISS = 'https://idp.example/realms/acme';

const input = (over: Partial<ProviderSignIn> & { sub?: string; sid?: string | null } = {}): ProviderSignIn => {
  const { sub = 'sub-1', sid = 'sid-1', ...rest } = over;
  return {
    link: { provider: 'acme', label: 'Acme SSO', issuer: ISS, subject: sub, sid, idToken: null, refreshToken: null, upstreamExpiresAt: null, upstreamRefreshAt: null },
    email: 'ada@example.com',
    emailVerified: true,
    linkByEmail: false,
    app: 'web',
    mode: 'cookie',
    ip: '192.0.2.1',
    userAgent: null,
    ...rest,
  };
};

const code = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => (e instanceof SessiondError ? e.code : String(e)));

describe('SSO accounts (SPEC §15)', () => {
  let sd: Sessiond;
  beforeEach(async () => {
    const store = createMemoryStore();
    await store.init();
    sd = new Sessiond({ store, clock: new ManualClock(), passwords, config: DEFAULT_CORE_CONFIG });
  });

  it('creates the person on a first sign-in and finds them again by (issuer, sub), whatever email the provider sends later', async () => {
    const first = await sd.sso.signIn(input());
    expect(first.user.email).toBe('ada@example.com');
    expect(first.session.sso).toMatchObject({ provider: 'acme', issuer: ISS, subject: 'sub-1', sid: 'sid-1' });
    const again = await sd.sso.signIn(input({ email: 'renamed@example.com' }));
    expect(again.user.id).toBe(first.user.id);
    // Nobody can sign in to it with a password: it has none.
    expect(first.user.passwordHash).toBeNull();
    expect(await sd.users.checkPassword('ada@example.com', '')).toBeNull();
  });

  it('links by email only when linkByEmail is on and the provider verified the address', async () => {
    const existing = await sd.users.create('ada@example.com', 'correct horse battery');
    expect(await code(sd.sso.signIn(input()))).toBe('email_taken');
    // Unverified, the address neither links nor collides: the provider account gets an account of its own.
    const unverified = await sd.sso.signIn(input({ sub: 'sub-unverified', linkByEmail: true, emailVerified: false }));
    expect([unverified.user.id === existing.id, unverified.user.email]).toEqual([false, expect.stringMatching(/@sso\.invalid$/)]);
    const linked = await sd.sso.signIn(input({ linkByEmail: true }));
    expect(linked.user.id).toBe(existing.id);
    // Linked for good: the next sign-in finds it by (issuer, sub) even with linking turned off.
    expect((await sd.sso.signIn(input({ linkByEmail: false }))).user.id).toBe(existing.id);
  });

  it('an address the provider did not verify never names a new account (it would take it from its owner)', async () => {
    const { user } = await sd.sso.signIn(input({ emailVerified: false }));
    expect(user.email).toMatch(/@sso\.invalid$/);
    // The owner can still sign up with their own address.
    expect((await sd.users.create('ada@example.com', 'correct horse battery')).email).toBe('ada@example.com');
  });

  it('an email-less provider account gets a placeholder address no mail reaches', async () => {
    const { user } = await sd.sso.signIn(input({ email: null }));
    expect(user.email).toMatch(/^[a-z0-9_-]{24}@sso\.invalid$/);
  });

  it('a disabled account cannot sign in through its provider either', async () => {
    const { user } = await sd.sso.signIn(input());
    await sd.setUserDisabled(user.id, true);
    expect(await code(sd.sso.signIn(input()))).toBe('forbidden');
  });

  it('back-channel logout by sid ends that provider session only; by sub every session of the account at that issuer', async () => {
    const a = await sd.sso.signIn(input({ sid: 'sid-a' }));
    const b = await sd.sso.signIn(input({ sid: 'sid-b' }));
    const password = await sd.users.create('bob@example.com', 'correct horse battery');
    const bobsOwn = await sd.signIn({ email: password.email, password: 'correct horse battery', rememberMe: false, app: 'web', mode: 'cookie', ip: null, userAgent: null });
    expect((await sd.sso.logout({ issuer: ISS, label: 'Acme SSO', sid: 'sid-a', subject: null })).map((s) => s.id)).toEqual([a.session.id]);
    expect((await sd.store.findSession(a.session.id))).toMatchObject({ endReason: 'sso_logout', endDetail: { provider: 'Acme SSO' } });
    expect((await sd.store.findSession(b.session.id))!.endedAt).toBeNull();
    // Another issuer's sid of the same name names nothing here.
    expect(await sd.sso.logout({ issuer: 'https://other.example', label: 'Other', sid: 'sid-b', subject: null })).toEqual([]);
    const c = await sd.sso.signIn(input({ sid: null }));
    expect((await sd.sso.logout({ issuer: ISS, label: 'Acme SSO', sid: null, subject: 'sub-1' })).map((s) => s.id).sort()).toEqual([b.session.id, c.session.id].sort());
    expect((await sd.store.findSession(bobsOwn.session.id))!.endedAt).toBeNull();
  });

  it('a sid and a sub that disagree end nothing', async () => {
    const a = await sd.sso.signIn(input({ sid: 'sid-a' }));
    expect(await sd.sso.logout({ issuer: ISS, label: 'Acme SSO', sid: 'sid-a', subject: 'someone-else' })).toEqual([]);
    expect((await sd.store.findSession(a.session.id))!.endedAt).toBeNull();
  });
});
