import { APP_KEY_SCOPES, SessiondError, type AppKeyScope, type AppKeyView } from '@sessiond/core';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import * as S from './schemas.ts';

/** The wire form of a key: times as ISO-8601, never its hash. */
function appKeyView(k: AppKeyView) {
  return { ...k, createdAt: new Date(k.createdAt).toISOString(), lastUsedAt: k.lastUsedAt === null ? null : new Date(k.lastUsedAt).toISOString() };
}

/** App keys are managed with the admin token only (no scope opens these routes). Registered in the admin scope. */
export async function appKeyRoutes(f: FastifyInstance, app: AppContext): Promise<void> {
  const registered = (name: string) => {
    if (!app.config.core.apps.includes(name)) throw new SessiondError('not_found', { message: `"${name.slice(0, 64)}" is not a registered app.` });
    return name;
  };
  const appParams = { type: 'object', properties: { app: S.app }, required: ['app'] } as const;

  f.post<{ Params: { app: string }; Body: { label: string; scopes: AppKeyScope[] } }>(
    '/v1/admin/apps/:app/keys',
    {
      schema: {
        params: appParams,
        body: {
          type: 'object',
          required: ['label', 'scopes'],
          additionalProperties: false,
          properties: {
            label: { type: 'string', minLength: 1, maxLength: 100 },
            scopes: { type: 'array', minItems: 1, maxItems: APP_KEY_SCOPES.length, uniqueItems: true, items: { type: 'string', enum: [...APP_KEY_SCOPES] } },
          },
        },
      },
    },
    async (req, reply) => {
      const created = await app.sessiond.appKeys.create(registered(req.params.app), req.body.label, req.body.scopes);
      // The secret is shown this once: no cache may keep it.
      return reply.code(201).header('cache-control', 'no-store').send({ key: appKeyView(created.key), secret: created.secret });
    },
  );

  f.get<{ Params: { app: string } }>('/v1/admin/apps/:app/keys', { schema: { params: appParams } }, async (req, reply) => {
    const keys = await app.sessiond.appKeys.list(registered(req.params.app));
    return reply.header('cache-control', 'no-store').send({ keys: keys.map(appKeyView) });
  });

  f.delete<{ Params: { app: string; id: string } }>(
    '/v1/admin/apps/:app/keys/:id',
    { schema: { params: { type: 'object', properties: { app: S.app, id: S.id }, required: ['app', 'id'] } } },
    async (req, reply) => {
      await app.sessiond.appKeys.revoke(registered(req.params.app), req.params.id);
      return reply.code(204).send();
    },
  );
}
