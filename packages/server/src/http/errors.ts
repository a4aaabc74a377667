import { SessiondError, type ErrorCode } from '@sessiond/core';
import type { FastifyReply } from 'fastify';

/** The one table from error code to HTTP status. */
export const STATUS: Record<ErrorCode, number> = {
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
  rate_limited: 429,
  store_unavailable: 503,
  internal_error: 500,
};

export interface ErrorBody {
  error: { code: ErrorCode; message: string; reason?: string; endedAt?: string; details?: Record<string, unknown> };
}

export function errorBody(e: SessiondError): ErrorBody {
  const error: ErrorBody['error'] = { code: e.code, message: e.message };
  if (e.reason) error.reason = e.reason;
  if (e.endedAt !== undefined) error.endedAt = new Date(e.endedAt).toISOString();
  if (e.details) error.details = e.details;
  return { error };
}

export function sendError(reply: FastifyReply, e: SessiondError): FastifyReply {
  const status = e.status ?? STATUS[e.code];
  if (e.retryAfter !== undefined) reply.header('retry-after', String(Math.max(1, Math.ceil(e.retryAfter))));
  return reply.code(status).header('cache-control', 'no-store').send(errorBody(e));
}

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  validation?: { instancePath?: string; params?: Record<string, unknown>; message?: string }[];
  message?: string;
}

/** Translates Fastify's own errors (validation, body parsing) into the SPEC's shape; null if not one. */
export function fromFastifyError(err: FastifyLikeError): SessiondError | null {
  if (err.validation && err.validation.length > 0) {
    const v = err.validation[0]!;
    const missing = v.params?.missingProperty;
    const extra = v.params?.additionalProperty;
    const field = typeof missing === 'string' ? missing : typeof extra === 'string' ? extra : (v.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.') || undefined;
    const message = missing ? `"${String(missing)}" is required.` : extra ? `"${String(extra)}" is not a known field.` : field ? `"${field}" ${v.message ?? 'is not valid'}.` : `The request body ${v.message ?? 'is not valid'}.`;
    return new SessiondError('invalid_request', { message, details: field ? { field } : undefined });
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new SessiondError('invalid_request', { status: 413, message: 'The request body is larger than 16 KiB.' });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new SessiondError('invalid_request', { status: 415, message: 'Send the request body as JSON (Content-Type: application/json).' });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new SessiondError('invalid_request', { message: 'The request body is empty; send a JSON object.' });
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new SessiondError('not_found', { message: 'There is nothing at this address.' });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new SessiondError('invalid_request', { message: 'The request body is not valid JSON.' });
  }
  if (err instanceof SyntaxError || err.statusCode === 400) return new SessiondError('invalid_request', { message: 'The request body is not valid JSON.' });
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    if (err.statusCode === 404) return new SessiondError('not_found');
    if (err.statusCode === 413) return new SessiondError('invalid_request', { status: 413, message: 'The request is too large.' });
    return new SessiondError('invalid_request', { status: err.statusCode, message: 'The request was not understood.' });
  }
  return null;
}
