import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Credentials are "<public id>.<secret>". The id finds the record; only SHA-256 of the secret is
 * stored, so a copy of the database is not a key to any account; the comparison is constant-time.
 */

/** 256 bits from the CSPRNG, base64url. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Public identifiers: 128 bits, base64url (22 characters). */
export function randomId(): string {
  return randomBytes(16).toString('base64url');
}

export function hashSecret(secret: string): string {
  // The one-shot hash, not createHash().update().digest(): the same digest without a Hash object
  // per call, a few times cheaper, and every validated request (GET /v1/session) hashes once.
  return hash('sha256', secret, 'base64url');
}

export function constantTimeEqual(a: string, b: string): boolean {
  return bytesEqual(Buffer.from(a), Buffer.from(b));
}

/** Compares equal-length buffers only; the lengths of digests and tags are public anyway. */
function bytesEqual(x: Buffer, y: Buffer): boolean {
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface ParsedToken {
  id: string;
  secret: string;
}

const TOKEN_RE = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

/** Null for anything that is not shaped like one of our tokens. */
export function parseToken(token: string): ParsedToken | null {
  const m = TOKEN_RE.exec(token);
  return m ? { id: m[1]!, secret: m[2]! } : null;
}

export function formatToken(id: string, secret: string): string {
  return `${id}.${secret}`;
}

/** Does `secret` hash to `expectedHash`? Constant-time. */
export function secretMatches(secret: string, expectedHash: string): boolean {
  // Digest bytes against the stored digest decoded: no base64url text to encode and copy again
  // on every validated request.
  return bytesEqual(hash('sha256', secret, 'buffer'), Buffer.from(expectedHash, 'base64url'));
}
