import { END_REASONS, endReasonMessage, type EndReason } from '@sessiond/core';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';

/**
 * The message for a reason with this server's numbers filled in, for pages reached after an
 * ending (`/login?reason=idle_timeout`). Carries no session data, so it needs no credential.
 */
export async function reasonRoutes(f: FastifyInstance, app: AppContext): Promise<void> {
  f.get<{ Params: { reason: string }; Querystring: { app?: string } }>(
    '/v1/reasons/:reason',
    { schema: { params: { type: 'object', properties: { reason: { type: 'string', enum: [...END_REASONS] } }, required: ['reason'] }, querystring: { type: 'object', properties: { app: { type: 'string', maxLength: 64 } } } } },
    async (req) => {
      const policy = app.sessiond.sessions.policy(req.query.app ?? 'web');
      const reason = req.params.reason as EndReason;
      return { reason, message: endReasonMessage(reason, { idleTimeoutMs: policy.idleTimeoutMs, absoluteTimeoutMs: policy.absoluteTimeoutMs, maxSessions: policy.maxSessions }) };
    },
  );
}
