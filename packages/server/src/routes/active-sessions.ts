import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { authenticate, clearSessionCookie } from '../http/auth.ts';
import { listView, trustedDeviceView } from '../http/views.ts';
import * as S from './schemas.ts';

/** The person's Active sessions: list them, end one, end the others, end all. */
export async function activeSessionsRoutes(f: FastifyInstance, app: AppContext): Promise<void> {
  const auth = authenticate(app);

  f.get('/v1/sessions', { preHandler: auth }, async (req, reply) => {
    const current = req.session!;
    const sessions = await app.sessiond.sessions.list(current.userId);
    return reply.header('cache-control', 'no-store').send({ sessions: listView(app, sessions, current.id) });
  });

  f.delete<{ Params: { id: string }; Querystring: { forgetDevice?: string } }>(
    '/v1/sessions/:id',
    {
      preHandler: auth,
      schema: {
        params: { type: 'object', properties: { id: S.id }, required: ['id'] },
        querystring: { type: 'object', properties: { forgetDevice: { type: 'string', enum: ['0', '1', 'true', 'false'] } } },
      },
    },
    async (req, reply) => {
      const forget = req.query.forgetDevice === '1' || req.query.forgetDevice === 'true';
      await app.sessiond.revokeSession(req.session!, req.params.id, forget);
      return reply.code(204).send();
    },
  );

  f.post('/v1/sessions/revoke-others', { preHandler: auth }, async (req) => {
    return { ended: await app.sessiond.revokeOthers(req.session!) };
  });

  f.post('/v1/sessions/revoke-all', { preHandler: auth }, async (req, reply) => {
    const ended = await app.sessiond.revokeAll(req.session!);
    clearSessionCookie(reply, app);
    return reply.header('clear-site-data', '"cookies"').send({ ended });
  });

  f.get('/v1/devices', { preHandler: auth }, async (req, reply) => {
    const devices = await app.sessiond.devices.list(req.session!.userId);
    return reply.header('cache-control', 'no-store').send({ devices: devices.map((d) => trustedDeviceView(d, req.session!.trustedDeviceId)) });
  });

  f.delete<{ Params: { id: string } }>(
    '/v1/devices/:id',
    { preHandler: auth, schema: { params: { type: 'object', properties: { id: S.id }, required: ['id'] } } },
    async (req, reply) => {
      await app.sessiond.forgetDevice(req.session!, req.params.id);
      return reply.code(204).send();
    },
  );
}
