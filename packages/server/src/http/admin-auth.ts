import { AppKeys, constantTimeEqual, hashSecret, SessiondError, type AppKeyRecord, type AppKeyScope } from '@sessiond/core';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';

/** Who called an admin route: the operator (admin token, every app) or one app's backend (its key). */
export type AdminCaller = { kind: 'admin' } | { kind: 'app'; key: AppKeyRecord };

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the admin hook. */
    adminCaller: AdminCaller | null;
  }
  interface FastifyContextConfig {
    /** The app-key scope that opens this admin route; without one, only the admin token does. */
    scope?: AppKeyScope;
  }
}

/**
 * The admin token or an app key holding `scope` (SPEC §9); anything else is refused. Hash both
 * sides of the admin token so the comparison is constant-time whatever the lengths. `hidden`: a
 * caller with neither gets 404, as if the route did not exist.
 */
export async function authenticateAdmin(app: AppContext, req: FastifyRequest, scope: AppKeyScope | undefined, hidden = false): Promise<AdminCaller> {
  const secret = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
  if (secret && app.config.adminToken && constantTimeEqual(hashSecret(secret), hashSecret(app.config.adminToken))) return { kind: 'admin' };
  const key = secret && AppKeys.isAppKeySecret(secret) ? await app.sessiond.appKeys.authenticate(secret) : null;
  if (!key && hidden) throw new SessiondError('not_found');
  if (!secret) throw new SessiondError('unauthenticated.admin');
  if (!key) throw new SessiondError('forbidden.admin_key');
  if (!scope || !key.scopes.includes(scope)) throw (scope ? new SessiondError('forbidden.scope', { facts: { scope } }) : new SessiondError('forbidden.admin_only'));
  return { kind: 'app', key };
}

/**
 * onRequest hook for /v1/admin/*. Without SESSIOND_ADMIN_TOKEN the admin API does not exist (404)
 * except to app keys made with the CLI: an operator need not set a master token at all.
 */
export function adminOnly(app: AppContext) {
  return async function checkAdmin(req: FastifyRequest): Promise<void> {
    req.adminCaller = await authenticateAdmin(app, req, req.routeOptions.config.scope, !app.config.adminToken);
  };
}

/** The one app an app key limits its caller to; null for the admin token (every app). */
export function callerApp(req: FastifyRequest): string | null {
  const caller = req.adminCaller;
  return caller?.kind === 'app' ? caller.key.app : null;
}
