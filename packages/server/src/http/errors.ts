import { SessiondError, type ErrorCode } from '@sessiond/core';
import type { FastifyReply } from 'fastify';

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
  if (e.retryAfter !== undefined) reply.header('retry-after', String(Math.max(1, Math.ceil(e.retryAfter))));
  return reply.code(e.status).header('cache-control', 'no-store').send(errorBody(e));
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
    const details = field ? { field } : undefined;
    const problem = v.message ?? 'is not valid';
    if (missing) return new SessiondError('invalid_request.missing_field', { facts: { field: String(missing) }, details });
    if (extra) return new SessiondError('invalid_request.unknown_field', { facts: { field: String(extra) }, details });
    return field ? new SessiondError('invalid_request.invalid_field', { facts: { field, problem }, details }) : new SessiondError('invalid_request.invalid_body', { facts: { problem } });
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new SessiondError('invalid_request.body_too_large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new SessiondError('invalid_request.not_json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new SessiondError('invalid_request.empty_body');
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new SessiondError('not_found.route');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new SessiondError('invalid_request.malformed_json');
  }
  if (err instanceof SyntaxError || err.statusCode === 400) return new SessiondError('invalid_request.malformed_json');
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    if (err.statusCode === 404) return new SessiondError('not_found');
    if (err.statusCode === 413) return new SessiondError('invalid_request.too_large');
    return new SessiondError('invalid_request.not_understood', { status: err.statusCode });
  }
  return null;
}
