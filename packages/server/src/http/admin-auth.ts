import { constantTimeEqual, hashSecret, SessiondError } from '@sessiond/core';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';

/** onRequest hook for /v1/admin/*: without SESSIOND_ADMIN_TOKEN the admin API does not exist. */
export function adminOnly(app: AppContext) {
  const expected = app.config.adminToken ? hashSecret(app.config.adminToken) : null;
  return async function checkAdmin(req: FastifyRequest): Promise<void> {
    if (!expected) throw new SessiondError('not_found');
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!m) throw new SessiondError('unauthenticated', { message: 'The admin API needs "Authorization: Bearer <admin token>".' });
    // Hash both sides so the comparison is constant-time whatever the lengths.
    if (!constantTimeEqual(hashSecret(m[1]!), expected)) throw new SessiondError('forbidden', { message: 'That admin token is not valid.' });
  };
}
