import { dictionary } from '@zxcvbn-ts/language-common';

/** Password hashing is injected: argon2id in the server, cheaper parameters in tests. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

const MIN_PASSWORD_LENGTH = 8;
// Long enough for passphrases and managers (NIST asks for >= 64); bounded so hashing cannot be abused.
const MAX_PASSWORD_LENGTH = 256;

// zxcvbn's list of the ~49,000 passwords most common in breaches (MIT); shorter ones fail the
// length rule anyway. Loaded once, lower-cased: "Password" is as guessable as "password" (ASVS 2.1.7).
const COMMON_PASSWORDS = new Set(dictionary['passwords-common'].filter((p) => p.length >= MIN_PASSWORD_LENGTH).map((p) => p.toLowerCase()));

/** The facts the password sentences of the error registry name. */
export const PASSWORD_RULES = { min: MIN_PASSWORD_LENGTH, max: MAX_PASSWORD_LENGTH };

export type PasswordProblem = 'invalid_request.password_too_short' | 'invalid_request.password_too_long' | 'invalid_request.password_is_email' | 'invalid_request.common_password';

/** Null when acceptable, else the registered error saying what a person should fix. */
export function passwordProblem(password: string, email?: string): PasswordProblem | null {
  if (password.length < MIN_PASSWORD_LENGTH) return 'invalid_request.password_too_short';
  if (password.length > MAX_PASSWORD_LENGTH) return 'invalid_request.password_too_long';
  if (email && password.trim().toLowerCase() === email.trim().toLowerCase()) return 'invalid_request.password_is_email';
  if (COMMON_PASSWORDS.has(password.trim().toLowerCase())) return 'invalid_request.common_password';
  return null;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

// Deliberately loose: the only reliable check is a message that arrives.
export function isPlausibleEmail(email: string): boolean {
  return email.length <= 254 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email);
}
