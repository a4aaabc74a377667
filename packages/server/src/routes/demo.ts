import { randomId } from '@sessiond/core';
import { service as C } from '@sessiond/contract';
import type { ContractInstance } from '../contract/openapi.ts';
import type { AppContext } from '../context.ts';
import { authenticate } from '../http/auth.ts';

const MAX_KEYS = 10_000;

/**
 * The demo app's backend: accepts an expense report once per Idempotency-Key, so a request held
 * through a re-sign-in and sent again cannot file the report twice.
 */
export async function demoRoutes(f: ContractInstance, app: AppContext): Promise<void> {
  const seen = new Map<string, { id: string; userId: string }>();
  f.post(
    '/v1/demo/expense-reports',
    { preHandler: authenticate(app), schema: C.demoExpenseReport },
    async (req, reply) => {
      const userId = req.session!.userId;
      const key = req.headers['idempotency-key'];
      const scoped = typeof key === 'string' ? `${userId}:${key}` : null;
      const earlier = scoped ? seen.get(scoped) : undefined;
      if (earlier) return reply.code(201).send({ id: earlier.id, duplicate: true });
      const id = randomId();
      if (scoped) {
        if (seen.size >= MAX_KEYS) seen.delete(seen.keys().next().value!);
        seen.set(scoped, { id, userId });
      }
      app.logger.info({ reportId: id, userId }, 'expense report received');
      return reply.code(201).send({ id, duplicate: false });
    },
  );
}
