import { SessiondError, StoreUnavailableError } from '@sessiond/core';
import { service as C } from '@sessiond/contract';
import type { ContractInstance } from '../contract/openapi.ts';
import type { AppContext } from '../context.ts';
import { authenticateAdmin } from '../http/admin-auth.ts';

export async function healthRoutes(f: ContractInstance, app: AppContext): Promise<void> {
  f.get('/healthz', { schema: C.healthz }, async () => ({ status: 'ok' }));

  f.get('/readyz', { schema: C.readyz }, async (_req, reply) => {
    try {
      await app.sessiond.store.ping();
      return { status: 'ready', store: app.sessiond.store.kind };
    } catch (e) {
      throw e instanceof SessiondError ? e : new StoreUnavailableError(e);
    }
  });

  f.get('/metrics', { schema: C.metrics }, async (req, reply) => {
    // SESSIOND_METRICS=protected: the admin token or an app key with metrics:read (SPEC §9).
    if (app.config.metrics === 'protected') await authenticateAdmin(app, req, 'metrics:read');
    return reply.header('content-type', app.metrics.registry.contentType).send(await app.metrics.registry.metrics());
  });
}
