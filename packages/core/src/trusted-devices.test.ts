import { createMemoryStore } from '@sessiond/store-memory';
import { generate } from 'otplib';
import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.ts';
import { DEFAULT_CORE_CONFIG, type CoreConfig } from './policy.ts';
import { Sessiond } from './sessiond.ts';

// Plain-text "hashing" keeps these tests about devices and ceilings; argon2 is tested in the server.
const passwords = { hash: async (p: string) => `plain:${p}`, verify: async (h: string, p: string) => h === `plain:${p}` };
const PASSWORD = 'correct horse battery';
const CHROME = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';

async function make(config: Partial<CoreConfig> = {}) {
  const clock = new ManualClock();
  const store = createMemoryStore();
  await store.init();
  const sd = new Sessiond({ store, clock, passwords, config: { ...DEFAULT_CORE_CONFIG, ...config } });
  const user = await sd.users.create('ada@example.com', PASSWORD);
  const signIn = (extra: Partial<Parameters<Sessiond['signIn']>[0]> = {}) =>
    sd.signIn({ email: 'ada@example.com', password: PASSWORD, rememberMe: false, app: 'web', mode: 'cookie', ip: '192.0.2.1', userAgent: CHROME, ...extra });
  return { clock, store, sd, user, signIn };
}

describe('trusted devices and the second factor', () => {
  it('a device trusted without a second factor (an operator-started session) does not stand in for one', async () => {
    const { clock, sd, user, signIn } = await make();
    const { secret } = await sd.users.setupTotp(user);
    await sd.users.enableTotp(await sd.users.get(user.id), await generate({ secret, epoch: clock.now() / 1000 }), async () => {});
    const started = await sd.startFor(await sd.users.get(user.id), { rememberMe: true, app: 'web', mode: 'cookie', ip: null, userAgent: CHROME, authMethods: ['pwd'] });
    expect(started.deviceToken).not.toBeNull();
    await expect(signIn({ deviceToken: started.deviceToken })).rejects.toMatchObject({ code: 'totp_required' });
    // Passing the code on it makes the same device trusted for it.
    clock.advance('30s');
    await signIn({ deviceToken: started.deviceToken, rememberMe: true, totp: await generate({ secret, epoch: clock.now() / 1000 }) });
    expect((await signIn({ deviceToken: started.deviceToken })).session.userId).toBe(user.id);
  });
});

describe('ceilings per account', () => {
  it('the oldest session across apps ends when the account is at its ceiling, saying why', async () => {
    const { clock, sd, signIn } = await make({ maxSessionsPerUser: 3 });
    const started = [];
    for (const app of ['web', 'desktop', 'web', 'api']) {
      started.push(await signIn({ app }));
      clock.advance('1s');
    }
    expect((await sd.sessions.list(started[0]!.user.id)).map((s) => s.id).sort()).toEqual(started.slice(1).map((s) => s.session.id).sort());
    const e = await sd.sessions.validateToken(started[0]!.token, { ip: null, userAgent: CHROME, passive: false }).catch((err: unknown) => err);
    expect(e).toMatchObject({
      code: 'session_ended',
      reason: 'concurrent_limit',
      message: 'You signed in on another device (Chrome on macOS), and an account can have at most 3 sessions at a time, so the oldest was signed out.',
    });
  });

  it('the least recently used trusted device gives way beyond the ceiling, with an audit event', async () => {
    const { clock, sd, store, user, signIn } = await make({ maxTrustedDevicesPerUser: 2 });
    const newDevice = async () => {
      clock.advance('1m');
      return (await signIn({ rememberMe: true })).deviceToken!;
    };
    const first = await newDevice();
    const second = await newDevice();
    clock.advance('1m');
    // The first is used again, so the second is now the least recently used.
    expect((await signIn({ rememberMe: true, deviceToken: first })).deviceToken).toBeNull();
    const third = await newDevice();
    expect(await sd.devices.list(user.id)).toHaveLength(2);
    expect(await sd.devices.recognise(user.id, second)).toBeNull();
    for (const kept of [first, third]) expect(await sd.devices.recognise(user.id, kept)).not.toBeNull();
    const removed = (await store.listEvents({ userId: user.id, limit: 100 })).filter((e) => e.type === 'device.removed');
    expect(removed.map((e) => e.data)).toEqual([{ deviceId: second.split('.')[0], cause: 'device_limit', limit: 2 }]);
  });

  it('a device without a second factor never pushes out one with: it is then not trusted at all', async () => {
    const { clock, sd, user, signIn } = await make({ maxTrustedDevicesPerUser: 2 });
    const { secret } = await sd.users.setupTotp(user);
    await sd.users.enableTotp(await sd.users.get(user.id), await generate({ secret, epoch: clock.now() / 1000 }), async () => {});
    const strong = [];
    for (let i = 0; i < 2; i++) {
      clock.advance('1m');
      strong.push((await signIn({ rememberMe: true, totp: await generate({ secret, epoch: clock.now() / 1000 }) })).deviceToken!);
    }
    // Two-step sign-in turned off again: a later "Keep me signed in" checks no second factor.
    clock.advance('1m');
    await sd.users.disableTotp(await sd.users.get(user.id), await generate({ secret, epoch: clock.now() / 1000 }), async () => {});
    const weak = await signIn({ rememberMe: true });
    expect(weak.deviceToken).toBeNull();
    expect(weak.session.trustedDeviceId).toBeNull();
    for (const kept of strong) expect(await sd.devices.recognise(user.id, kept)).not.toBeNull();
  });
});
