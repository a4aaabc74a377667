import { describe, expect, it } from 'vitest';
import { SessiondError } from './errors.ts';
import { PASSWORD_RULES, passwordProblem } from './passwords.ts';

/** The sentence a person reads for a password. */
const problemText = (password: string, email?: string) => {
  const key = passwordProblem(password, email);
  return key && new SessiondError(key, { facts: PASSWORD_RULES }).message;
};

describe('passwordProblem', () => {
  it('refuses the common passwords of breaches, whatever their case', () => {
    for (const weak of ['password', '12345678', 'qwertyuiop', 'QWERTYuiop', 'iloveyou', ' password ']) expect(problemText(weak)).toMatch(/one of the most common passwords/);
  });
  it('accepts a passphrase, and still applies the length and email rules first', () => {
    expect(passwordProblem('violet kettle under seven bridges')).toBeNull();
    expect(problemText('1234567')).toBe('Use at least 8 characters.');
    expect(problemText('x'.repeat(257))).toBe('Use at most 256 characters.');
    expect(problemText('Ada@Example.com', 'ada@example.com')).toBe('Do not use your email address as your password.');
  });
});
