import { SessiondError, StoreUnavailableError } from '@sessiond/core';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { authenticateAdmin } from '../http/admin-auth.ts';

export async function healthRoutes(f: FastifyInstance, app: AppContext): Promise<void> {
  f.get('/healthz', async () => ({ status: 'ok' }));

  f.get('/readyz', async (_req, reply) => {
    try {
      await app.sessiond.store.ping();
      return { status: 'ready', store: app.sessiond.store.kind };
    } catch (e) {
      throw e instanceof SessiondError ? e : new StoreUnavailableError(e);
    }
  });

  f.get('/metrics', async (req, reply) => {
    // SESSIOND_METRICS=protected: the admin token or an app key with metrics:read (SPEC §9).
    if (app.config.metrics === 'protected') await authenticateAdmin(app, req, 'metrics:read');
    return reply.header('content-type', app.metrics.registry.contentType).send(await app.metrics.registry.metrics());
  });
}
