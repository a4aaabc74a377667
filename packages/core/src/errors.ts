import type { EndReason } from './types.ts';

export type ErrorCode =
  | 'invalid_request'
  | 'unauthenticated'
  | 'invalid_token'
  | 'session_ended'
  | 'invalid_credentials'
  | 'totp_required'
  | 'reauth_required'
  | 'csrf_failed'
  | 'forbidden'
  | 'not_found'
  | 'email_taken'
  | 'current_session'
  | 'concurrent_limit'
  | 'rate_limited'
  | 'store_unavailable'
  /** A defect, never expected: logged, and answered without details. */
  | 'internal_error';

export interface ErrorOptions {
  message?: string;
  reason?: EndReason;
  endedAt?: number;
  details?: Record<string, unknown>;
  /** HTTP status when it differs from the code's usual one (413 for invalid_request). */
  status?: number;
  /** Seconds, for rate_limited and store_unavailable. */
  retryAfter?: number;
  cause?: unknown;
}

/** The one error type of sessiond: a stable code plus what the person needs to know. */
export class SessiondError extends Error {
  readonly code: ErrorCode;
  readonly reason: EndReason | undefined;
  readonly endedAt: number | undefined;
  readonly details: Record<string, unknown> | undefined;
  readonly retryAfter: number | undefined;
  readonly status: number | undefined;

  constructor(code: ErrorCode, opts: ErrorOptions = {}) {
    super(opts.message ?? DEFAULT_MESSAGES[code], opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'SessiondError';
    this.code = code;
    this.reason = opts.reason;
    this.endedAt = opts.endedAt;
    this.details = opts.details;
    this.retryAfter = opts.retryAfter;
    this.status = opts.status;
  }
}

/** Thrown by stores when their backend cannot be reached; rendered as 503 store_unavailable. */
export class StoreUnavailableError extends SessiondError {
  constructor(cause?: unknown) {
    super('store_unavailable', { cause, retryAfter: 2 });
    this.name = 'StoreUnavailableError';
  }
}

export const DEFAULT_MESSAGES: Record<ErrorCode, string> = {
  invalid_request: 'The request was not understood. Please check what was sent.',
  unauthenticated: 'Please sign in to continue.',
  invalid_token: 'Your sign-in is not valid any more. Please sign in again.',
  session_ended: 'Your session has ended. Please sign in again.',
  invalid_credentials: 'The email or password is not correct.',
  totp_required: 'Enter the 6-digit code from your authenticator app.',
  reauth_required: 'For your security, please confirm your password to continue.',
  csrf_failed: 'This request came from another site and was blocked to protect your account.',
  forbidden: 'You do not have permission to do that.',
  not_found: 'That was not found.',
  email_taken: 'An account with this email already exists. Try signing in instead.',
  current_session: 'This is the session you are using now. Use "Log out" to end it.',
  concurrent_limit: 'You are signed in on too many devices. Sign out of one to continue.',
  rate_limited: 'Too many attempts. Please wait a moment and try again.',
  store_unavailable: 'The service is temporarily unavailable. Your session is safe; please try again shortly.',
  internal_error: 'Something went wrong on our side. Your session is safe; please try again.',
};

export const isSessiondError = (e: unknown): e is SessiondError => e instanceof SessiondError;
