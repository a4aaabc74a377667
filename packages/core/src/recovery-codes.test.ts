import { createHash } from 'node:crypto';
import { createMemoryStore } from '@sessiond/store-memory';
import { generate } from 'otplib';
import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from './clock.ts';
import { DEFAULT_CORE_CONFIG } from './policy.ts';
import { findRecoveryCode, hashRecoveryCode, newRecoveryCodes, normalizeRecoveryCode, RECOVERY_CODE_ALPHABET, RECOVERY_CODE_COUNT } from './recovery-codes.ts';
import { Sessiond } from './sessiond.ts';
import { hashSecret } from './tokens.ts';

// Pass-through spies: a test below counts how many stored entries a lookup hashes and compares.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, createHmac: vi.fn(actual.createHmac), timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});
const { createHmac, timingSafeEqual } = await import('node:crypto');

const FORMAT = /^[0-9a-hjkmnp-tv-z]{4}(?:-[0-9a-hjkmnp-tv-z]{4}){5}$/;

describe('recovery codes', () => {
  it('carry 120 bits as six dash-separated groups of four Crockford base32 symbols, and never repeat', () => {
    expect(RECOVERY_CODE_ALPHABET).toHaveLength(32);
    expect(RECOVERY_CODE_ALPHABET).not.toMatch(/[ilou]/);
    const codes: string[] = [];
    for (let i = 0; i < 1000; i++) codes.push(...newRecoveryCodes().codes);
    expect(codes).toHaveLength(10_000);
    expect(new Set(codes).size).toBe(10_000);
    for (const c of codes) expect(c).toMatch(FORMAT);
    // 24 symbols of 5 bits each: at least the 112 bits ASVS 2.6.2 asks of an unsalted lookup secret.
    expect(codes[0]!.replace(/-/g, '').length * Math.log2(RECOVERY_CODE_ALPHABET.length)).toBeGreaterThanOrEqual(112);
  });

  it('use every symbol equally often: no modulo bias eats into the 120 bits', () => {
    const counts = new Map<string, number>();
    let total = 0;
    for (let i = 0; i < 1000; i++) {
      for (const c of newRecoveryCodes().codes) {
        for (const ch of c.replace(/-/g, '')) counts.set(ch, (counts.get(ch) ?? 0) + 1);
        total += 24;
      }
    }
    expect([...counts.keys()].sort().join('')).toBe(RECOVERY_CODE_ALPHABET);
    // 7,500 expected per symbol, σ ≈ 85; a `byte % 31` style bias would be ~12% off.
    const expected = total / 32;
    for (const n of counts.values()) expect(Math.abs(n - expected) / expected).toBeLessThan(0.06);
  });

  it('are stored salted: the same code gets a different value each time, and no value shows the code', () => {
    const { codes, hashes } = newRecoveryCodes();
    expect(hashes).toHaveLength(RECOVERY_CODE_COUNT);
    const code = codes[0]!;
    const canonical = code.replace(/-/g, '');
    // Two accounts that happened to get the same code.
    const alice = hashRecoveryCode(code);
    const bob = hashRecoveryCode(code);
    expect(alice).not.toBe(bob);
    expect(alice.split('$')[0]).not.toBe(bob.split('$')[0]);
    for (const stored of [alice, bob, hashes[0]!]) {
      expect(stored).toMatch(/^[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
      expect(stored).not.toContain(code);
      expect(stored).not.toContain(canonical);
      for (const unsalted of [hashSecret(code), hashSecret(canonical), createHash('sha256').update(canonical).digest('hex')]) expect(stored).not.toContain(unsalted);
      expect(findRecoveryCode([stored], code)).toBe(0);
    }
  });

  it('finds the matching entry wherever it is in the list', () => {
    const { codes, hashes } = newRecoveryCodes();
    codes.forEach((c, i) => expect(findRecoveryCode(hashes, c)).toBe(i));
  });

  it('hashes and compares every stored entry, even after the first one matched', () => {
    const { codes, hashes } = newRecoveryCodes();
    for (const input of [codes[0]!, codes[9]!, 'zzzz-zzzz-zzzz-zzzz-zzzz-zzzz']) {
      vi.mocked(createHmac).mockClear();
      vi.mocked(timingSafeEqual).mockClear();
      findRecoveryCode(hashes, input);
      expect(vi.mocked(createHmac)).toHaveBeenCalledTimes(hashes.length);
      expect(vi.mocked(timingSafeEqual)).toHaveBeenCalledTimes(hashes.length);
    }
  });

  it('accepts a code whatever its case, spacing and dashes, and reads i, l and o as 1, 1 and 0', () => {
    const { codes, hashes } = newRecoveryCodes();
    const c = codes[4]!;
    const plain = c.replace(/-/g, '');
    for (const typed of [c.toUpperCase(), plain, plain.toUpperCase(), ` ${c} `, c.replace(/-/g, ' '), c.replace(/-/g, ' - '), c.replace(/-/g, '\u2013'), plain.match(/.{6}/g)!.join('-')]) {
      expect(findRecoveryCode(hashes, typed), typed).toBe(4);
    }
    const stored = [hashRecoveryCode('0110-abcd-efgh-jkmn-pqrs-tvwx')];
    for (const typed of ['OIL0-ABCD-EFGH-JKMN-PQRS-TVWX', 'o1i0 abcd efgh jkmn pqrs tvwx', '0LlO-abcd-efgh-jkmn-pqrs-tvwx']) expect(findRecoveryCode(stored, typed), typed).toBe(0);
    expect(normalizeRecoveryCode('0110-ABCD-efgh-jkmn-pqrs-tvwx')).toBe('0110abcdefghjkmnpqrstvwx');
  });

  it('rejects a wrong, partial or malformed code, and never a stored value itself', () => {
    const { codes, hashes } = newRecoveryCodes();
    const c = codes[0]!;
    const plain = c.replace(/-/g, '');
    for (let i = 0; i < plain.length; i++) {
      const other = RECOVERY_CODE_ALPHABET[(RECOVERY_CODE_ALPHABET.indexOf(plain[i]!) + 1) % 32]!;
      expect(findRecoveryCode(hashes, plain.slice(0, i) + other + plain.slice(i + 1))).toBe(-1);
    }
    const wrong = [newRecoveryCodes().codes[0]!, c.slice(0, -1), `${c}0`, '', '   ', 'k3f9-2mzq', '123456', `${c}\u0000`, c.replace(/-/g, '_'), hashes[0]!];
    for (const w of wrong) expect(findRecoveryCode(hashes, w), w).toBe(-1);
    expect(findRecoveryCode([], c)).toBe(-1);
    expect(() => hashRecoveryCode('k3f9-2mzq')).toThrow();
  });

  it('does not honour unsalted entries from before salting', () => {
    const { codes } = newRecoveryCodes();
    const legacy = [hashSecret(codes[0]!), hashSecret(codes[0]!.replace(/-/g, '')), '', '$', 'garbage$'];
    expect(findRecoveryCode(legacy, codes[0]!)).toBe(-1);
  });
});

describe('recovery codes at sign-in', () => {
  const passwords = { hash: async (p: string) => `plain:${p}`, verify: async (h: string, p: string) => h === `plain:${p}` };

  async function userWithTwoStep() {
    const clock = new ManualClock();
    const store = createMemoryStore();
    await store.init();
    const sd = new Sessiond({ store, clock, passwords, config: DEFAULT_CORE_CONFIG });
    const created = await sd.users.create('ada@example.com', 'correct horse battery');
    const { secret } = await sd.users.setupTotp(created);
    const { recoveryCodes } = await sd.users.enableTotp(await sd.users.get(created.id), await generate({ secret, epoch: clock.now() / 1000 }), async () => {});
    return { sd, id: created.id, recoveryCodes };
  }

  it('stores ten salted values, none of them a code', async () => {
    const { sd, id, recoveryCodes } = await userWithTwoStep();
    const stored = (await sd.users.get(id)).recoveryCodeHashes;
    expect(recoveryCodes).toHaveLength(10);
    expect(stored).toHaveLength(10);
    for (const s of stored) for (const c of recoveryCodes) expect(s).not.toContain(c.replace(/-/g, ''));
  });

  it('each code works once, however it is typed; a wrong one is refused and consumes nothing', async () => {
    const { sd, id, recoveryCodes } = await userWithTwoStep();
    const code = recoveryCodes[3]!;
    expect(await sd.users.checkSecondFactor(await sd.users.get(id), 'zzzz-zzzz-zzzz-zzzz-zzzz-zzzz')).toBe(false);
    expect((await sd.users.get(id)).recoveryCodeHashes).toHaveLength(10);
    expect(await sd.users.checkSecondFactor(await sd.users.get(id), code.toUpperCase().replace(/-/g, ' '))).toBe(true);
    expect((await sd.users.get(id)).recoveryCodeHashes).toHaveLength(9);
    expect(await sd.users.checkSecondFactor(await sd.users.get(id), code)).toBe(false);
    expect(await sd.users.checkSecondFactor(await sd.users.get(id), recoveryCodes[0]!)).toBe(true);
    expect((await sd.users.get(id)).recoveryCodeHashes).toHaveLength(8);
  });
});
