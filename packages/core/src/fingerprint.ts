import { createHmac, randomBytes } from 'node:crypto';
import { normalizeEmail } from './passwords.ts';

/**
 * A name for what was typed into an email field that keeps none of the text (it may be a password
 * typed into the wrong field): the throttle's counter keys and the audit log's unknown emails.
 */
export type Fingerprint = (typed: string) => string;

/**
 * `hmac:` and 32 hex digits of HMAC-SHA-256 under `key` of the normalised input: it groups
 * attempts at one name, and without the key no guess can be tested against it. Nodes sharing a
 * store must share the key, or each counts and names attempts apart.
 */
export function keyedFingerprint(key: Uint8Array): Fingerprint {
  return (typed) => `hmac:${createHmac('sha256', key).update(normalizeEmail(typed)).digest('hex').slice(0, 32)}`;
}

/** For a single process (tests, tools) that was given no key: one nothing else can recompute. */
export const processFingerprint = (): Fingerprint => keyedFingerprint(randomBytes(32));
