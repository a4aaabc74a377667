import { SessiondError, type AuditEvent } from '@sessiond/core';
import { admin as A, tokenMode as C } from '@sessiond/contract';
import type { ContractInstance } from '../contract/openapi.ts';
import type { AppContext } from '../context.ts';
import { adminOnly, callerApp } from '../http/admin-auth.ts';
import { requestContext } from '../http/auth.ts';
import { noSniffHead } from '../http/no-sniff.ts';
import { viewOf } from '../http/views.ts';
import { rotateSigningKey, type TokenModeParts } from './index.ts';

const HEARTBEAT_MS = 15_000;
/** AppKeys trusts a found key for 1 s: checked this often, a revoked key's feed ends within 1.5 s. */
const KEY_RECHECK_MS = 500;

/** Refresh, JWKS, key rotation, and the events feed for resource servers. */
export function tokenModeRoutes(parts: () => TokenModeParts | null) {
  return async function routes(f: ContractInstance, app: AppContext): Promise<void> {
    const tm = () => {
      const p = parts();
      if (!p) throw new SessiondError('not_found');
      return p;
    };

    f.post(
      '/v1/session/refresh',
      { schema: C.refresh },
      async (req, reply) => {
        const { refresh, access } = tm();
        const ctx = requestContext(req);
        const r = await refresh.refresh(req.body.refreshToken, { passive: req.body.passive === true, ip: ctx.ip });
        const at = await access.issue(r.session);
        return reply.header('cache-control', 'no-store').send({ session: viewOf(app, r.session, r.session.id), ...at, refreshToken: r.refreshToken });
      },
    );

    f.get('/.well-known/jwks.json', { schema: C.jwks }, async (_req, reply) => {
      // Short caching: verifiers also refetch when they meet an unknown kid.
      return reply.header('cache-control', 'public, max-age=60').send(tm().ring.jwks());
    });

    await f.register(async (admin) => {
      admin.addHook('onRequest', adminOnly(app));

      admin.post('/v1/admin/keys/rotate', { schema: A.rotateKeys }, async () => {
        const kid = await rotateSigningKey(tm().ring, app.sessiond);
        return { kid, keys: tm().ring.jwks().keys.map((k) => k.kid) };
      });

      /**
       * Server-Sent Events for resource servers: `session.started`, `session.ended` and
       * `session.ended_all`, each with the store's event id; `Last-Event-ID` replays what was
       * missed before going live, without gaps or duplicates. A connection without one first gets
       * the feed's current position (a bare `id:` line, which sets EventSource's lastEventId
       * without an event; `0` for an empty log), so a cut before any event still resumes exactly.
       * An app key (`events:read`) gets its own app's session events and the global endings only.
       */
      admin.get('/v1/admin/events', { config: { scope: 'events:read' }, schema: A.eventsFeed }, async (req, reply) => {
        const own = callerApp(req);
        const visible = (e: AuditEvent) => own === null || e.type === 'sessions.ended_all' || e.data.app === own;
        const res = reply.raw;
        reply.hijack();
        res.writeHead(200, { ...noSniffHead, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
        const lastEventId = typeof req.headers['last-event-id'] === 'string' ? req.headers['last-event-id'] : null;
        let closed = false;
        let unsubscribe = () => {};
        const write = (e: AuditEvent) => {
          const out = !closed && visible(e) ? toFeed(e) : null;
          if (out) res.write(`id: ${e.id}\nevent: ${out.event}\ndata: ${JSON.stringify(out.data)}\n\n`);
        };
        // A revoked key's feed ends within the second, on whichever node it is open: at once when
        // the revocation's event arrives, else when the key is checked again (the CLI on SQLite
        // writes no event this process hears; pub/sub may be cut).
        const caller = req.adminCaller;
        const unRevoked = caller?.kind === 'app' ? app.sessiond.appKeys.onRevoked((id) => id === caller.key.id && res.end()) : () => {};
        const secret = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
        const recheck =
          caller?.kind === 'app'
            ? setInterval(() => {
                app.sessiond.appKeys.authenticate(secret).then(
                  (key) => key?.id === caller.key.id || res.end(),
                  () => {}, // store unreachable: an outage, not a revocation; the next check decides
                );
              }, KEY_RECHECK_MS)
            : undefined;
        const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
        req.raw.on('close', () => {
          closed = true;
          clearInterval(heartbeat);
          clearInterval(recheck);
          unsubscribe();
          unRevoked();
        });
        res.write('retry: 1000\n\n');
        try {
          unsubscribe = await app.feed.resume(lastEventId, write, { onPosition: (id) => res.write(`id: ${id}\n\n`) });
        } catch {
          res.end();
          return;
        }
        if (closed) unsubscribe();
      });
    });
  };
}

function toFeed(e: AuditEvent): { event: string; data: Record<string, unknown> } | null {
  const at = new Date(e.at).toISOString();
  if (e.type === 'session.ended') return { event: 'session.ended', data: { sessionId: e.sessionId, userId: e.userId, reason: e.reason, at } };
  if (e.type === 'session.started') return { event: 'session.started', data: { sessionId: e.sessionId, userId: e.userId, app: e.data.app, at } };
  if (e.type === 'sessions.ended_all') return { event: 'session.ended_all', data: { reason: e.reason, at } };
  if (e.type === 'keys.rotated') return { event: 'keys.rotated', data: { kid: e.data.kid, at } };
  return null;
}
