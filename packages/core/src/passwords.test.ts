import { describe, expect, it } from 'vitest';
import { passwordProblem } from './passwords.ts';

describe('passwordProblem', () => {
  it('refuses the common passwords of breaches, whatever their case', () => {
    for (const weak of ['password', '12345678', 'qwertyuiop', 'QWERTYuiop', 'iloveyou', ' password ']) expect(passwordProblem(weak)).toMatch(/one of the most common passwords/);
  });
  it('accepts a passphrase, and still applies the length and email rules first', () => {
    expect(passwordProblem('violet kettle under seven bridges')).toBeNull();
    expect(passwordProblem('1234567')).toBe('Use at least 8 characters.');
    expect(passwordProblem('Ada@Example.com', 'ada@example.com')).toBe('Do not use your email address as your password.');
  });
});
