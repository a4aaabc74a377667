import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Sealer } from './seal.ts';

describe('Sealer', () => {
  it('opens what it sealed for the same purpose only, and never with a shortened tag', () => {
    const s = new Sealer(randomBytes(32));
    const sealed = s.seal('the flow', 'oidc flow');
    expect(s.open(sealed, 'oidc flow')).toBe('the flow');
    expect(s.open(sealed, 'oidc handoff')).toBeNull();
    // GCM checks only as many tag bytes as it is given: a 4-byte tag would be guessed in 2^32 tries.
    const [v, iv, tag, body] = sealed.split('.');
    const short = [v, iv, Buffer.from(tag!, 'base64url').subarray(0, 4).toString('base64url'), body].join('.');
    expect(s.open(short, 'oidc flow')).toBeNull();
  });
});
