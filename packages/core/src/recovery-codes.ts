import { createHmac, randomBytes } from 'node:crypto';
import { constantTimeEqual } from './tokens.ts';

/**
 * Recovery codes are lookup secrets (ASVS 4.0.3 2.6.1–2.6.3, 5.0 6.5.1–6.5.3): single use,
 * 120 bits from the CSPRNG, and stored only as HMAC-SHA-256 under a per-code random salt, so a
 * copy of the database neither reveals a code nor shows which accounts happen to share one.
 * A fast hash is enough at 120 bits: there is nothing to brute-force.
 */

/** Crockford's base32 in lower case: no i, l, o or u, so a code copied on paper reads one way. */
export const RECOVERY_CODE_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
export const RECOVERY_CODE_COUNT = 10;
/** 15 bytes = 120 bits = exactly 24 base32 symbols: no padding and no modulo bias. */
const CODE_BYTES = 15;
const CODE_SYMBOLS = (CODE_BYTES * 8) / 5;
const GROUP = 4;
const GROUPS_RE = new RegExp(`.{${GROUP}}`, 'g');
const SALT_BYTES = 16;
const CODE_RE = new RegExp(`^[${RECOVERY_CODE_ALPHABET}]{${CODE_SYMBOLS}}$`);

function base32(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const byte of bytes) {
    acc = ((acc << 8) | byte) & 0x1fff; // at most 12 bits are pending
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += RECOVERY_CODE_ALPHABET[(acc >> bits) & 31];
    }
  }
  return out;
}

/**
 * What a person typed, as the canonical 24 symbols, or null. Case, spaces and dashes (including
 * typographic ones a word processor substitutes) are ignored; i/l read as 1 and o as 0, as in
 * Crockford's decoding, since those are the misreadings handwriting invites.
 */
export function normalizeRecoveryCode(input: string): string | null {
  const s = input
    .toLowerCase()
    .replace(/[\s\-\u2010-\u2015\u2212]/g, '')
    .replace(/[il]/g, '1')
    .replace(/o/g, '0');
  return CODE_RE.test(s) ? s : null;
}

function digest(salt: Buffer, code: string): string {
  return createHmac('sha256', salt).update(code).digest('base64url');
}

/** `salt$HMAC-SHA-256(salt, code)`, both base64url; the salt is fresh for every code. */
export function hashRecoveryCode(code: string): string {
  const canonical = normalizeRecoveryCode(code);
  if (canonical === null) throw new Error('not a recovery code');
  const salt = randomBytes(SALT_BYTES);
  return `${salt.toString('base64url')}$${digest(salt, canonical)}`;
}

/** Ten single-use codes shown once, e.g. "7k2q-9xfm-…" (six groups of four); only hashes are kept. */
export function newRecoveryCodes(): { codes: string[]; hashes: string[] } {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => base32(randomBytes(CODE_BYTES)).match(GROUPS_RE)!.join('-'));
  return { codes, hashes: codes.map(hashRecoveryCode) };
}

/**
 * Index of the stored entry the code matches, or -1. Every entry is hashed and compared in
 * constant time, without stopping at a match, so timing says nothing about which one matched.
 * Entries from before salting (bare SHA-256 of ~40-bit codes) never match: no release stored them,
 * and honouring them would keep below-standard codes alive.
 */
export function findRecoveryCode(stored: string[], input: string): number {
  const code = normalizeRecoveryCode(input);
  // Rejecting a malformed input early reveals only its shape, which the sender already knows.
  if (code === null) return -1;
  let found = -1;
  stored.forEach((entry, i) => {
    const sep = entry.indexOf('$');
    const salt = Buffer.from(sep < 0 ? '' : entry.slice(0, sep), 'base64url');
    if (constantTimeEqual(digest(salt, code), sep < 0 ? '' : entry.slice(sep + 1))) found = i;
  });
  return found;
}
