import { appKeys as C } from '@sessiond/contract';
import { SessiondError, type AppKeyView } from '@sessiond/core';
import type { ContractInstance } from '../contract/openapi.ts';
import type { AppContext } from '../context.ts';

/** The wire form of a key: times as ISO-8601, never its hash. */
function appKeyView(k: AppKeyView) {
  return { ...k, createdAt: new Date(k.createdAt).toISOString(), lastUsedAt: k.lastUsedAt === null ? null : new Date(k.lastUsedAt).toISOString() };
}

/** App keys are managed with the admin token only (no scope opens these routes). Registered in the admin scope. */
export async function appKeyRoutes(f: ContractInstance, app: AppContext): Promise<void> {
  const registered = (name: string) => {
    if (!app.sessiond.sessions.isRegisteredApp(name)) throw new SessiondError('not_found.app', { facts: { app: name.slice(0, 64) } });
    return name;
  };
  f.post(
    '/v1/admin/apps/:app/keys',
    { schema: C.createAppKey },
    async (req, reply) => {
      const created = await app.sessiond.appKeys.create(registered(req.params.app), req.body.label, req.body.scopes);
      // The secret is shown this once: no cache may keep it.
      return reply.code(201).header('cache-control', 'no-store').send({ key: appKeyView(created.key), secret: created.secret });
    },
  );

  f.get('/v1/admin/apps/:app/keys', { schema: C.listAppKeys }, async (req, reply) => {
    const keys = await app.sessiond.appKeys.list(registered(req.params.app));
    return reply.header('cache-control', 'no-store').send({ keys: keys.map(appKeyView) });
  });

  f.delete(
    '/v1/admin/apps/:app/keys/:id',
    { schema: C.revokeAppKey },
    async (req, reply) => {
      await app.sessiond.appKeys.revoke(registered(req.params.app), req.params.id);
      return reply.code(204).send();
    },
  );
}
