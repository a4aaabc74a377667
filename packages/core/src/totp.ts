import { generateSecret, generateURI, verify } from 'otplib';
import { hashSecret, constantTimeEqual } from './tokens.ts';
import { randomBytes } from 'node:crypto';

export const TOTP_ISSUER = 'sessiond';

export function newTotpSecret(): string {
  return generateSecret();
}

export function totpUri(secret: string, email: string): string {
  return generateURI({ issuer: TOTP_ISSUER, label: email, secret });
}

/**
 * A 6-digit code from the authenticator, allowing one 30-second step of clock drift each way and
 * never a step at or before `afterStep` (a code seen once cannot be replayed). Returns the step
 * it matched, or null.
 */
export async function totpCodeStep(secret: string, code: string, nowMs: number, afterStep: number | null = null): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  const nowSec = Math.floor(nowMs / 1000);
  try {
    const r = await verify({ secret, token: code, epoch: nowSec, epochTolerance: 30, ...(afterStep === null ? {} : { afterTimeStep: afterStep }) });
    return r.valid ? Math.floor(nowSec / 30) + r.delta : null;
  } catch {
    return null;
  }
}

/** Ten single-use recovery codes, e.g. "k3f9-2mzq"; only their hashes are stored. */
export function newRecoveryCodes(): { codes: string[]; hashes: string[] } {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const codes = Array.from({ length: 10 }, () => {
    const b = randomBytes(8);
    const chars = Array.from(b, (x) => alphabet[x % alphabet.length]).join('');
    return `${chars.slice(0, 4)}-${chars.slice(4)}`;
  });
  return { codes, hashes: codes.map((c) => hashSecret(c)) };
}

/** Index of the matching recovery code hash, or -1. Every candidate is compared in constant time. */
export function findRecoveryCode(hashes: string[], code: string): number {
  const h = hashSecret(code.trim().toLowerCase());
  let found = -1;
  hashes.forEach((x, i) => {
    if (constantTimeEqual(x, h)) found = i;
  });
  return found;
}
