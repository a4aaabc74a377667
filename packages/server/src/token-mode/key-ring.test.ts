import { randomBytes } from 'node:crypto';
import { generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { ManualClock, Sessiond, type SessionRecord, type Store } from '@sessiond/core';
import { createMemoryStore } from '@sessiond/store-memory';
import { loadConfig } from '../config.ts';
import type { AppContext } from '../context.ts';
import { createTokenMode } from './index.ts';

const ISSUER = 'http://localhost:4000';
const SESSIOND_KEY_ENCRYPTION_KEY = randomBytes(32).toString('base64');

/** One node's token mode on a shared store; `reads` counts its key-ring loads from the store. */
async function node(shared: Store, clock: ManualClock) {
  let reads = 0;
  const store = new Proxy(shared, {
    get(target, name) {
      const value = Reflect.get(target, name, target);
      if (typeof value !== 'function') return value;
      if (name === 'listSigningKeys') return (...args: unknown[]) => (reads++, value.apply(target, args));
      return value.bind(target);
    },
  });
  const config = loadConfig({ SESSIOND_STORE: 'memory:', SESSIOND_PUBLIC_URL: ISSUER, SESSIOND_KEY_ENCRYPTION_KEY });
  const sessiond = new Sessiond({ store, clock, config: config.core, passwords: { hash: async () => '', verify: async () => false } });
  const app = { config, sessiond, allowedOrigins: new Set(), publicOrigin: 'http://127.0.0.1:4000', keyEncryptionKey: Buffer.from(SESSIOND_KEY_ENCRYPTION_KEY, 'base64') } as unknown as AppContext;
  const mode = await createTokenMode(app);
  return { mode, reads: () => reads, close: () => sessiond.close() };
}

/** A well-formed access token under a kid no node ever had, as an attacker would send. */
async function forged(): Promise<string> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  return new SignJWT({ sid: 'x', app: 'web' })
    .setProtectedHeader({ alg: 'EdDSA', kid: randomBytes(16).toString('base64url'), typ: 'at+jwt' })
    .setIssuer(ISSUER)
    .setSubject('u')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey);
}

describe('key ring: unknown kids', () => {
  it('read the store at most once per 5 s however many arrive, and a key rotated on another node is still found', async () => {
    const clock = new ManualClock(Date.now());
    const shared = createMemoryStore();
    await shared.init();
    const a = await node(shared, clock);
    const b = await node(shared, clock);
    const before = b.reads();
    const refuseAll = async (n: number) => {
      const tokens = await Promise.all(Array.from({ length: n }, forged));
      const results = await Promise.allSettled(tokens.map((t) => b.mode.verifyAccessToken(t)));
      expect(results.every((r) => r.status === 'rejected')).toBe(true);
    };

    await refuseAll(50);
    clock.advance(1_000);
    await refuseAll(50);
    expect(b.reads() - before).toBe(0);

    // Node A rotates and its rotated event never reaches B (a lost pub/sub message).
    await a.mode.ring.rotate();
    const session = { id: 'sid-1', userId: 'user-1', app: 'web', absoluteExpiresAt: clock.now() + 3_600_000 } as SessionRecord;
    const { accessToken } = await a.mode.access.issue(session);
    clock.advance(4_000);
    await refuseAll(50);
    await expect(b.mode.verifyAccessToken(accessToken)).resolves.toMatchObject({ sessionId: 'sid-1' });
    expect(b.reads() - before).toBe(1);

    await refuseAll(50);
    clock.advance(4_999);
    await refuseAll(50);
    expect(b.reads() - before).toBe(1);
    clock.advance(1);
    await refuseAll(50);
    expect(b.reads() - before).toBe(2);
    a.close();
    b.close();
    await shared.close();
  });
});

describe('key ring: a store sealed under another key', () => {
  it('refuses to load with a line that says which key to give, not a cipher error', async () => {
    const store = createMemoryStore();
    await store.init();
    const clock = new ManualClock(Date.now());
    const first = await node(store, clock);
    first.close();
    const other = randomBytes(32);
    const config = loadConfig({ SESSIOND_STORE: 'memory:', SESSIOND_PUBLIC_URL: ISSUER, SESSIOND_KEY_ENCRYPTION_KEY: other.toString('base64') });
    const sessiond = new Sessiond({ store, clock, config: config.core, passwords: { hash: async () => '', verify: async () => false } });
    const app = { config, sessiond, allowedOrigins: new Set(), publicOrigin: 'http://127.0.0.1:4000', keyEncryptionKey: other } as unknown as AppContext;
    await expect(createTokenMode(app)).rejects.toThrow(/^SESSIOND_KEY_ENCRYPTION_KEY cannot open the signing keys in this store/);
    sessiond.close();
  });
});
