import { generateSecret, generateURI, verify } from 'otplib';

const TOTP_ISSUER = 'sessiond';

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
