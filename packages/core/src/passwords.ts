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

/** Null when acceptable, else what a person should fix. */
export function passwordProblem(password: string, email?: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (password.length > MAX_PASSWORD_LENGTH) return `Use at most ${MAX_PASSWORD_LENGTH} characters.`;
  if (email && password.trim().toLowerCase() === email.trim().toLowerCase()) return 'Do not use your email address as your password.';
  if (COMMON_PASSWORDS.has(password.trim().toLowerCase())) return 'This is one of the most common passwords, so it is among the first an attacker tries. Choose another: a few unrelated words make a strong one.';
  return null;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

// Deliberately loose: the only reliable check is a message that arrives.
export function isPlausibleEmail(email: string): boolean {
  return email.length <= 254 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email);
}
