import { normalizeIp, publicUser, SessiondError, type UserRecord } from '@sessiond/core';
import { admin as C } from '@sessiond/contract';
import type { ContractInstance } from '../contract/openapi.ts';
import type { AppContext } from '../context.ts';
import { adminOnly, callerApp } from '../http/admin-auth.ts';
import { listView } from '../http/views.ts';
import { appKeyRoutes } from './app-keys.ts';
import { webhookRoutes } from './webhooks.ts';
import { adminSessionDataRoutes } from './session-data.ts';
import { requireMode, sendSignedIn } from './auth.ts';

/**
 * Operator API, behind SESSIOND_ADMIN_TOKEN; an app key opens the routes of its scopes (`config.scope`)
 * for its own app's sessions only. Without the token configured it does not exist (404) but to app keys.
 */
export async function adminRoutes(f: ContractInstance, app: AppContext): Promise<void> {
  f.addHook('onRequest', adminOnly(app));
  await appKeyRoutes(f, app);
  await webhookRoutes(f, app);
  await adminSessionDataRoutes(f, app);

  f.post(
    '/v1/admin/users',
    { config: { scope: 'users:write' }, schema: C.createUser },
    async (req, reply) => reply.code(201).send({ user: publicUser(await app.sessiond.users.create(req.body.email, req.body.password)) }),
  );

  // `{}` looks the person up; with an email, the first call makes the account (users.ts).
  f.put(
    '/v1/admin/users/by-external-id/:externalId',
    { config: { scope: 'users:write' }, schema: C.putUserByExternalId },
    async (req, reply) => {
      const { user, created } = await app.sessiond.users.findOrCreateByExternalId(req.params.externalId, req.body.email);
      return reply.code(created ? 201 : 200).header('cache-control', 'no-store').send({ user: adminUser(user) });
    },
  );

  f.post(
    '/v1/admin/sessions',
    { config: { scope: 'sessions:write' }, schema: C.startSession },
    async (req, reply) => {
      const ip = req.body.ip === undefined ? null : normalizeIp(req.body.ip);
      if (req.body.ip !== undefined && ip === null) throw new SessiondError('invalid_request.not_an_ip', { facts: { field: 'ip' }, details: { field: 'ip' } });
      const own = callerApp(req);
      if (own !== null && req.body.app !== undefined && req.body.app !== own) throw new SessiondError('forbidden.other_app', { facts: { app: own }, details: { field: 'app' } });
      const signedIn = await app.sessiond.startForUser(req.body.userId, {
        app: req.body.app ?? own ?? 'web',
        rememberMe: req.body.rememberMe === true,
        mode: requireMode(app, req.body.mode ?? 'cookie'),
        ip,
        userAgent: req.body.userAgent ?? null,
        startedBy: { appKeyId: req.adminCaller?.kind === 'app' ? req.adminCaller.key.id : null },
      });
      // The operator's app sets its own cookie: answer like login, without touching this client's cookies.
      if (signedIn.session.mode === 'token') return sendSignedIn(app, reply, signedIn);
      app.metrics.sessionsStarted.inc({ app: signedIn.session.app });
      return reply.header('cache-control', 'no-store').send({ user: publicUser(signedIn.user), session: listView(app, [signedIn.session], signedIn.session.id)[0]!, token: signedIn.token });
    },
  );

  f.get('/v1/admin/users/:userId/sessions', { config: { scope: 'sessions:read' }, schema: C.userSessions }, async (req, reply) => {
    const sessions = await app.sessiond.userSessions(req.params.userId, callerApp(req) ?? undefined);
    return reply.header('cache-control', 'no-store').send({ sessions: listView(app, sessions, null) });
  });

  f.post('/v1/admin/users/:userId/revoke-sessions', { config: { scope: 'sessions:write' }, schema: C.revokeUserSessions }, async (req) => {
    return { ended: await app.sessiond.revokeUserSessionsAsAdmin(req.params.userId, callerApp(req) ?? undefined) };
  });

  f.post('/v1/admin/users/:userId/disable', { schema: C.disableUser }, async (req) => {
    return { disabled: true, ended: await app.sessiond.setUserDisabled(req.params.userId, true) };
  });

  f.post('/v1/admin/users/:userId/enable', { schema: C.enableUser }, async (req) => {
    await app.sessiond.setUserDisabled(req.params.userId, false);
    return { disabled: false };
  });

  f.post('/v1/admin/revoke-all', { schema: C.revokeEverything }, async () => ({ ended: await app.sessiond.sessions.endAll('global_logout') }));

  f.get(
    '/v1/admin/audit',
    { config: { scope: 'sessions:read' }, schema: C.audit },
    async (req, reply) => {
      // An app key sees its own app's session events only.
      const events = await app.sessiond.audit({ userId: req.query.userId, sessionId: req.query.sessionId, limit: req.query.limit ? Number(req.query.limit) : 100, app: callerApp(req) ?? undefined });
      // Session ids, addresses and emails: no shared cache may keep them.
      return reply.header('cache-control', 'no-store').send({ events: events.map((e) => ({ ...e, at: new Date(e.at).toISOString() })) });
    },
  );
}

/** The person's public view, plus what only the operator sees. */
function adminUser(u: UserRecord) {
  return { ...publicUser(u), externalId: u.externalId, hasPassword: u.passwordHash !== null };
}
