import { describe, expect, it } from 'vitest';
import { formatToken, hashSecret, parseToken, randomId, randomSecret, secretMatches } from './tokens.ts';

describe('tokens', () => {
  it('carries at least 128 bits from the CSPRNG and never repeats', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) seen.add(randomSecret());
    expect(seen.size).toBe(10_000);
    expect(Buffer.from(randomSecret(), 'base64url').length).toBe(32);
    expect(Buffer.from(randomId(), 'base64url').length).toBe(16);
  });
  it('bits are balanced (monobit heuristic)', () => {
    let ones = 0;
    let bits = 0;
    for (let i = 0; i < 2000; i++) {
      for (const byte of Buffer.from(randomSecret(), 'base64url')) {
        for (let b = 0; b < 8; b++) ones += (byte >> b) & 1;
        bits += 8;
      }
    }
    expect(Math.abs(ones / bits - 0.5)).toBeLessThan(0.02);
  });
  it('round-trips and rejects anything else', () => {
    const id = randomId();
    const secret = randomSecret();
    expect(parseToken(formatToken(id, secret))).toEqual({ id, secret });
    for (const bad of ['', 'x.y', `${id}.${secret}x`, `${id}${secret}`, `${id}.${secret}.x`, ' ' + formatToken(id, secret)]) expect(parseToken(bad)).toBeNull();
  });
  it('matches only the secret that was hashed', () => {
    const s = randomSecret();
    expect(secretMatches(s, hashSecret(s))).toBe(true);
    expect(secretMatches(randomSecret(), hashSecret(s))).toBe(false);
    expect(hashSecret(s)).not.toContain(s);
  });

  it('refuses a stored digest of another length or with one byte changed', () => {
    const s = randomSecret();
    const digest = Buffer.from(hashSecret(s), 'base64url');
    expect(secretMatches(s, digest.subarray(0, 31).toString('base64url'))).toBe(false);
    expect(secretMatches(s, '')).toBe(false);
    digest[31] = digest[31]! ^ 1;
    expect(secretMatches(s, digest.toString('base64url'))).toBe(false);
  });
});
