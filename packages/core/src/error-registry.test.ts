import { describe, expect, it } from 'vitest';
import { codeOf, ENDINGS, endingText, ERRORS, type ErrorCode, type ErrorKey } from './error-registry.ts';
import { SessiondError } from './errors.ts';
import { endReasonMessage } from './reasons.ts';
import { END_REASONS } from './types.ts';

// SPEC §5: the wire codes and their statuses are a contract; this pins the registry to it.
const SPEC_STATUS: Record<ErrorCode, number> = {
  invalid_request: 400,
  unauthenticated: 401,
  invalid_token: 401,
  session_ended: 401,
  invalid_credentials: 401,
  totp_required: 401,
  reauth_required: 403,
  csrf_failed: 403,
  forbidden: 403,
  not_found: 404,
  email_taken: 409,
  current_session: 409,
  concurrent_limit: 409,
  // Beyond SPEC §5's list: PUT /v1/admin/users/by-external-id/:externalId with another email.
  external_id_conflict: 409,
  version_conflict: 412,
  rate_limited: 429,
  store_unavailable: 503,
  provider_unavailable: 503,
  internal_error: 500,
};
// Refusals of the request itself, before its content is read, keep their own HTTP status.
const TRANSPORT_STATUS = new Set([408, 413, 415, 431]);

const keys = Object.keys(ERRORS) as ErrorKey[];
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
const filled = (s: string) => Object.fromEntries(placeholders(s).map((p) => [p, `<${p}>`]));

describe('the error registry', () => {
  it('gives every wire code its SPEC status and a message, and nothing more', () => {
    const codes = keys.filter((k) => !k.includes('.'));
    expect(codes.sort()).toEqual(Object.keys(SPEC_STATUS).sort());
    for (const code of codes) {
      expect(ERRORS[code][0], code).toBe(SPEC_STATUS[code as ErrorCode]);
      expect(ERRORS[code][1], code).toMatch(/\S/);
    }
  });

  it('keeps each variant under a code, with that code’s status', () => {
    for (const key of keys.filter((k) => k.includes('.'))) {
      const code = codeOf(key);
      expect(SPEC_STATUS[code], key).toBeDefined();
      const status = ERRORS[key][0];
      if (status !== SPEC_STATUS[code]) expect(code === 'invalid_request' && TRANSPORT_STATUS.has(status), key).toBe(true);
      expect(key, key).toMatch(/^[a-z_]+\.[a-z_]+$/);
    }
  });

  it('writes whole sentences whose only gaps are named facts', () => {
    for (const [key, [, message]] of Object.entries(ERRORS)) {
      expect(message, key).toMatch(/^[A-Z"].*[.]$/);
      const text = new SessiondError(key as ErrorKey, { facts: filled(message) } as never).message;
      expect(text, key).not.toMatch(/[{}]/);
      for (const p of placeholders(message)) expect(text, key).toContain(`<${p}>`);
    }
  });

  it('renders a registered error from its key and facts', () => {
    const e = new SessiondError('rate_limited.signin_pair', { facts: { wait: '15 minutes' }, retryAfter: 900 });
    expect(e).toMatchObject({ key: 'rate_limited.signin_pair', code: 'rate_limited', status: 429, retryAfter: 900 });
    expect(e.message).toBe('Too many failed sign-in attempts. Please wait 15 minutes and try again, or reset your password.');
    expect(new SessiondError('invalid_request.body_too_large').status).toBe(413);
    expect(new SessiondError('not_found').message).toBe('That was not found.');
  });

  it('accepts facts, never a sentence, and exactly the facts a message names (checked by tsc)', () => {
    const typeChecks = () => [
      // @ts-expect-error a call site cannot write its own sentence
      new SessiondError('not_found', { message: 'Gone.' }),
      // @ts-expect-error the facts a sentence names are required
      new SessiondError('rate_limited.signup'),
      // @ts-expect-error and only those
      new SessiondError('rate_limited.signup', { facts: { wait: '1 minute', minutes: 1 } }),
      // @ts-expect-error a sentence without gaps takes no facts
      new SessiondError('not_found.user', { facts: { id: 'u1' } }),
      // @ts-expect-error only registered keys
      new SessiondError('not_found.nothing'),
      // @ts-expect-error an ending's sentence comes from endReasonMessage, not a string
      new SessiondError('session_ended', { ending: 'You signed out.' }),
      // @ts-expect-error only session_ended carries an ending
      new SessiondError('not_found', { ending: endingText('logged_out') }),
    ];
    expect(typeChecks).toBeTypeOf('function');
  });
});

describe('the endings', () => {
  it('has a sentence for every reason, and variants only of reasons', () => {
    for (const reason of END_REASONS) expect(ENDINGS[reason], reason).toMatch(/\S/);
    for (const key of Object.keys(ENDINGS)) expect(END_REASONS, key).toContain(key.split('.')[0]);
  });

  const ctx = { idleTimeoutMs: 30 * 60_000, absoluteTimeoutMs: 12 * 3_600_000, maxSessions: 1 };
  it('fills in the numbers and the device when known', () => {
    expect(endReasonMessage('idle_timeout', ctx)).toBe('You were signed out after 30 minutes without activity.');
    expect(endReasonMessage('absolute_timeout', { ...ctx, detail: { timeoutMs: 3_600_000 } })).toBe('Sessions last at most 1 hour. Please sign in again.');
    expect(endReasonMessage('revoked', ctx)).toBe('You were signed out from another of your sessions.');
    expect(endReasonMessage('revoked', { ...ctx, detail: { byDevice: 'Firefox on Linux' } })).toBe('You were signed out from another of your sessions (Firefox on Linux).');
    expect(endReasonMessage('concurrent_limit', ctx)).toBe('You signed in on another device, and this app allows at most 1 session at a time.');
    expect(endReasonMessage('concurrent_limit', { ...ctx, detail: { byDevice: 'Safari on iPhone', limit: 3 } })).toBe(
      'You signed in on another device (Safari on iPhone), and this app allows at most 3 sessions at a time.',
    );
    expect(endReasonMessage('concurrent_limit', { ...ctx, detail: { accountLimit: 10 } })).toBe(
      'You signed in on another device, and an account can have at most 10 sessions at a time, so the oldest was signed out.',
    );
  });

  it('makes session_ended say the reason’s sentence', () => {
    const e = new SessiondError('session_ended', { reason: 'logged_out', ending: endReasonMessage('logged_out', ctx), endedAt: 1 });
    expect(e).toMatchObject({ code: 'session_ended', status: 401, reason: 'logged_out', message: 'You signed out.' });
  });
});
