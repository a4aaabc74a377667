import { AppKeys, normalizeIp, SessiondError } from '@sessiond/core';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { AppContext } from '../context.ts';

/**
 * An app's backend that validates a person's cookie (or signs them in) on their behalf is not that
 * person: its address and "node" user agent must not become the session's, trip IP or device
 * binding, or share one throttle among all its users. With its app key in `X-Sessiond-App-Key` it
 * may say whose request it relays; from anyone else these headers are ignored (anyone can write
 * them). The contract is README's "Apps and their backends".
 */
export const APP_KEY_HEADER = 'x-sessiond-app-key';
export const CLIENT_IP_HEADER = 'x-sessiond-client-ip';
export const CLIENT_USER_AGENT_HEADER = 'x-sessiond-client-user-agent';
/** Longer than any real browser's; a bound so a relay cannot store kilobytes per session. */
const MAX_USER_AGENT = 1024;

/** The person an app's backend speaks for: set only when its app key checked out. */
export interface RelayedClient {
  /** The key's app: the relay speaks for that app's sessions and sign-ins only. */
  app: string;
  ip: string | null;
  userAgent: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    relayedClient: RelayedClient | null;
  }
}

/**
 * onRequest hook, before the CSRF check (a relay is no browser: it cannot have been sent by another
 * site, which never knows the key). Free for every request without the header.
 */
export function relayedClientHook(app: AppContext) {
  return function readRelayedClient(req: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const secret = req.headers[APP_KEY_HEADER];
    if (secret === undefined) return done();
    relayedClient(app, req, secret).then((relayed) => {
      req.relayedClient = relayed;
      done();
    }, done);
  };
}

async function relayedClient(app: AppContext, req: FastifyRequest, secret: string | string[]): Promise<RelayedClient> {
  const key = typeof secret === 'string' && AppKeys.isAppKeySecret(secret) ? await app.sessiond.appKeys.authenticate(secret) : null;
  // Named, so a relay (@sessiond/node) can tell its own refusal from one about the person.
  if (!key) throw new SessiondError('forbidden.relay_key', { details: { field: 'X-Sessiond-App-Key' } });
  const rawIp = req.headers[CLIENT_IP_HEADER];
  const rawUserAgent = req.headers[CLIENT_USER_AGENT_HEADER];
  // Absent: the connection's own, as without a key; binding is never skipped by leaving one out.
  const ip = rawIp === undefined ? normalizeIp(req.ip) : typeof rawIp === 'string' ? normalizeIp(rawIp.trim()) : null;
  if (ip === null && rawIp !== undefined) throw new SessiondError('invalid_request.not_an_ip', { facts: { field: 'X-Sessiond-Client-IP' }, details: { field: 'X-Sessiond-Client-IP' } });
  const ownUserAgent = typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : null;
  if (rawUserAgent !== undefined && (typeof rawUserAgent !== 'string' || rawUserAgent.length > MAX_USER_AGENT)) {
    throw new SessiondError('invalid_request.invalid_header', { facts: { header: 'X-Sessiond-Client-User-Agent', problem: `must be one value of at most ${MAX_USER_AGENT} characters` }, details: { field: 'X-Sessiond-Client-User-Agent' } });
  }
  return { app: key.app, ip, userAgent: rawUserAgent === undefined ? ownUserAgent : rawUserAgent || null };
}

/** A relayed sign-in is for the key's own app only (SPEC §9: a key acts for its app). */
export function requireRelayFor(req: FastifyRequest, appName: string): void {
  const relayed = req.relayedClient;
  if (relayed && relayed.app !== appName) throw new SessiondError('forbidden.relay_other_app', { facts: { app: relayed.app }, details: { field: 'app' } });
}
