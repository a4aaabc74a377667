import { sessions as C } from '@sessiond/contract';
import type { ContractInstance } from '../contract/openapi.ts';
import type { AppContext } from '../context.ts';
import { authenticate, clearSessionCookie } from '../http/auth.ts';
import { listView, trustedDeviceView } from '../http/views.ts';

/** The person's Active sessions: list them, end one, end the others, end all. */
export async function activeSessionsRoutes(f: ContractInstance, app: AppContext): Promise<void> {
  const auth = authenticate(app);

  f.get('/v1/sessions', { preHandler: auth, schema: C.listSessions }, async (req, reply) => {
    const current = req.session!;
    const sessions = await app.sessiond.listSessions(current);
    return reply.header('cache-control', 'no-store').send({ sessions: listView(app, sessions, current.id) });
  });

  f.delete(
    '/v1/sessions/:id',
    { preHandler: auth, schema: C.revokeSession },
    async (req, reply) => {
      const forget = req.query.forgetDevice === '1' || req.query.forgetDevice === 'true';
      await app.sessiond.revokeSession(req.session!, req.params.id, forget);
      return reply.code(204).send();
    },
  );

  f.post('/v1/sessions/revoke-others', { preHandler: auth, schema: C.revokeOthers }, async (req) => {
    return { ended: await app.sessiond.revokeOthers(req.session!) };
  });

  f.post('/v1/sessions/revoke-browser', { preHandler: auth, schema: C.revokeBrowser }, async (req) => {
    return { ended: await app.sessiond.revokeBrowser(req.session!, req.body.browserId, req.body.forgetDevice === true) };
  });

  f.post('/v1/sessions/revoke-all', { preHandler: auth, schema: C.revokeAll }, async (req, reply) => {
    const ended = await app.sessiond.revokeAll(req.session!);
    clearSessionCookie(reply, app);
    return reply.header('clear-site-data', '"cookies"').send({ ended });
  });

  f.get('/v1/devices', { preHandler: auth, schema: C.listDevices }, async (req, reply) => {
    const devices = await app.sessiond.listDevices(req.session!);
    return reply.header('cache-control', 'no-store').send({ devices: devices.map((d) => trustedDeviceView(d, req.session!.trustedDeviceId)) });
  });

  f.delete(
    '/v1/devices/:id',
    { preHandler: auth, schema: C.removeDevice },
    async (req, reply) => {
      await app.sessiond.forgetDevice(req.session!, req.params.id);
      return reply.code(204).send();
    },
  );
}
