import { activity as C } from '@sessiond/contract';
import type { ContractInstance } from '../contract/openapi.ts';
import type { AppContext } from '../context.ts';
import { authenticate } from '../http/auth.ts';

const DEFAULT_LIMIT = 20;

/** The person's own recent activity (SPEC §13). */
export async function activityRoutes(f: ContractInstance, app: AppContext): Promise<void> {
  const auth = authenticate(app);

  f.get('/v1/activity', { preHandler: auth, schema: C.listActivity }, async (req, reply) => {
    const limit = req.query.limit === undefined ? DEFAULT_LIMIT : Number(req.query.limit);
    const events = await app.sessiond.activity(req.session!, { limit, before: req.query.before });
    return reply.header('cache-control', 'no-store').send({ events });
  });
}
