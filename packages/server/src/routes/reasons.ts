import { service as C } from '@sessiond/contract';
import { endReasonMessage } from '@sessiond/core';
import type { ContractInstance } from '../contract/openapi.ts';
import type { AppContext } from '../context.ts';

/**
 * The message for a reason with this server's numbers filled in, for pages reached after an
 * ending (`/login?reason=idle_timeout`). Carries no session data, so it needs no credential.
 */
export async function reasonRoutes(f: ContractInstance, app: AppContext): Promise<void> {
  f.get(
    '/v1/reasons/:reason',
    { schema: C.reasonMessage },
    async (req) => {
      const policy = app.sessiond.sessions.policy(req.query.app ?? 'web');
      const reason = req.params.reason;
      return { reason, message: endReasonMessage(reason, { idleTimeoutMs: policy.idleTimeoutMs, absoluteTimeoutMs: policy.absoluteTimeoutMs, maxSessions: policy.maxSessions }) };
    },
  );
}
