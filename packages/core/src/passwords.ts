/** Password hashing is injected: argon2id in the server, cheaper parameters in tests. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

export const MIN_PASSWORD_LENGTH = 8;
// Long enough for passphrases and managers (NIST asks for >= 64); bounded so hashing cannot be abused.
export const MAX_PASSWORD_LENGTH = 256;

/** Null when acceptable, else what a person should fix. */
export function passwordProblem(password: string, email?: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (password.length > MAX_PASSWORD_LENGTH) return `Use at most ${MAX_PASSWORD_LENGTH} characters.`;
  if (email && password.trim().toLowerCase() === email.trim().toLowerCase()) return 'Do not use your email address as your password.';
  return null;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

// Deliberately loose: the only reliable check is a message that arrives.
export function isPlausibleEmail(email: string): boolean {
  return email.length <= 254 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email);
}
