import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { authenticateRequest } from './adapters.ts';
import { requireAmr, requireFreshness } from './requirements.ts';
import { createVerifier, type VerifierOptions } from './verifier.ts';

const ISSUER = 'http://127.0.0.1:4000';
let privateKey: CryptoKey;
let jwk: JWK;
beforeAll(async () => {
  const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  privateKey = pair.privateKey;
  jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'EdDSA', use: 'sig' };
});

/** A token shaped like sessiond's (SPEC §4, RFC 9068), signed with a key of the test's own. */
function mint(claims: Record<string, unknown> = {}, opts: { iss?: string; authTimeAgoSec?: number | null } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const authTime = opts.authTimeAgoSec === null ? {} : { auth_time: now - (opts.authTimeAgoSec ?? 10) };
  return new SignJWT({ sid: 's1', app: 'web', client_id: 'web', amr: ['pwd'], ...authTime, ...claims })
    .setProtectedHeader({ alg: 'EdDSA', kid: 'k1', typ: 'at+jwt' })
    .setIssuer(opts.iss ?? ISSUER)
    .setSubject('u1')
    .setAudience('web')
    .setIssuedAt(now)
    .setExpirationTime(now + 300)
    .sign(privateKey);
}
const verifier = (o: Partial<VerifierOptions> = {}) => createVerifier({ issuer: ISSUER, jwks: { keys: [jwk] }, audience: 'web', ...o });

describe('createVerifier', () => {
  it('reads client_id, auth_time and amr', async () => {
    const t = await verifier().verify(await mint({ amr: ['pwd', 'otp'] }, { authTimeAgoSec: 60 }));
    expect(t).toMatchObject({ userId: 'u1', sessionId: 's1', app: 'web', clientId: 'web', amr: ['pwd', 'otp'] });
    expect(Math.abs(Date.now() - 60_000 - t.authTime!)).toBeLessThan(2_000);
  });

  it('names the issuers when they differ, instead of a bare "not valid"', async () => {
    const token = await mint({}, { iss: 'http://localhost:4000' });
    await expect(verifier().verify(token)).rejects.toMatchObject({
      code: 'invalid_token',
      message: 'The access token is not valid: issuer mismatch (expected "http://127.0.0.1:4000", got "http://localhost:4000").',
    });
  });

  it('names the audiences when they differ', async () => {
    await expect(verifier({ audience: 'banking' }).verify(await mint())).rejects.toThrow(/audience mismatch \(expected "banking", got "web"\)/);
  });

  it('names nothing for a token whose signature fails: its claims are not sessiond’s', async () => {
    const other = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const forged = await new SignJWT({ sid: 's1' }).setProtectedHeader({ alg: 'EdDSA', kid: 'k1', typ: 'at+jwt' }).setIssuer('https://evil.example').setSubject('u1').setAudience('web').setIssuedAt().setExpirationTime('5m').sign(other.privateKey);
    await expect(verifier().verify(forged)).rejects.toMatchObject({ code: 'invalid_token', message: 'The access token is not valid.' });
  });
});

describe('requireFreshness and requireAmr', () => {
  const request = (token: string) => new Request('http://rs/payouts', { headers: { authorization: `Bearer ${token}` } });

  it('requireFreshness(ms) lets a recent sign-in through and asks an older one to sign in again (403 reauth_required)', async () => {
    const v = verifier();
    const fiveMinutes = { require: [requireFreshness(5 * 60_000)] };
    expect(await authenticateRequest(v, request(await mint({}, { authTimeAgoSec: 60 })), fiveMinutes)).toMatchObject({ ok: true });
    const stale = await authenticateRequest(v, request(await mint({}, { authTimeAgoSec: 6 * 60 })), fiveMinutes);
    expect(stale).toMatchObject({ ok: false, status: 403, body: { error: { code: 'reauth_required', message: 'Please sign in again to continue: this needs a sign-in within the last 5 minutes.', details: { maxAgeMs: 300_000 } } } });
    // No auth_time: freshness cannot be shown, so it is not assumed.
    expect(await authenticateRequest(v, request(await mint({}, { authTimeAgoSec: null })), fiveMinutes)).toMatchObject({ ok: false, status: 403 });
  });

  it("requireAmr('otp') asks for a two-step sign-in when the token says password only", async () => {
    const v = verifier();
    const twoStep = { require: [requireAmr('otp')] };
    expect(await authenticateRequest(v, request(await mint({ amr: ['pwd', 'otp'] })), twoStep)).toMatchObject({ ok: true });
    expect(await authenticateRequest(v, request(await mint({ amr: ['pwd'] })), twoStep)).toMatchObject({
      ok: false,
      status: 403,
      body: { error: { code: 'reauth_required', details: { amr: 'otp' } } },
    });
    expect(await authenticateRequest(v, request(await mint({ amr: 'otp' })), twoStep)).toMatchObject({ ok: false });
  });

  it('refuses a nonsensical freshness', () => {
    expect(() => requireFreshness(0)).toThrow(/positive/);
  });
});
