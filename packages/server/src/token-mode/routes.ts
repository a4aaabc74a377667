import { SessiondError, type AuditEvent } from '@sessiond/core';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { adminOnly, callerApp } from '../http/admin-auth.ts';
import { requestContext } from '../http/auth.ts';
import { viewOf } from '../http/views.ts';
import { rotateSigningKey, type TokenModeParts } from './index.ts';

const HEARTBEAT_MS = 15_000;
const REPLAY_LIMIT = 1000;

/** Refresh, JWKS, key rotation, and the events feed for resource servers. */
export function tokenModeRoutes(parts: () => TokenModeParts | null) {
  return async function routes(f: FastifyInstance, app: AppContext): Promise<void> {
    const tm = () => {
      const p = parts();
      if (!p) throw new SessiondError('not_found');
      return p;
    };

    f.post<{ Body: { refreshToken: string; passive?: boolean } }>(
      '/v1/session/refresh',
      {
        schema: {
          body: {
            type: 'object',
            required: ['refreshToken'],
            additionalProperties: false,
            properties: { refreshToken: { type: 'string', minLength: 1, maxLength: 4096 }, passive: { type: 'boolean' } },
          },
        },
      },
      async (req, reply) => {
        const { refresh, access } = tm();
        const ctx = requestContext(req);
        const r = await refresh.refresh(req.body.refreshToken, { passive: req.body.passive === true, ip: ctx.ip });
        const at = await access.issue(r.session);
        return reply.header('cache-control', 'no-store').send({ session: viewOf(app, r.session, r.session.id), ...at, refreshToken: r.refreshToken });
      },
    );

    f.get('/.well-known/jwks.json', async (_req, reply) => {
      // Short caching: verifiers also refetch when they meet an unknown kid.
      return reply.header('cache-control', 'public, max-age=60').send(tm().ring.jwks());
    });

    await f.register(async (admin) => {
      admin.addHook('onRequest', adminOnly(app));

      admin.post('/v1/admin/keys/rotate', async () => {
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
      admin.get('/v1/admin/events', { config: { scope: 'events:read' } }, async (req, reply) => {
        const own = callerApp(req);
        const visible = (e: AuditEvent) => own === null || e.type === 'sessions.ended_all' || e.data.app === own;
        const res = reply.raw;
        reply.hijack();
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
        let lastSent = typeof req.headers['last-event-id'] === 'string' ? req.headers['last-event-id'] : null;
        const queue: AuditEvent[] = [];
        let replaying = true;
        let closed = false;
        const write = (e: AuditEvent) => {
          const out = visible(e) ? toFeed(e) : null;
          if (!out) return;
          res.write(`id: ${e.id}\nevent: ${out.event}\ndata: ${JSON.stringify(out.data)}\n\n`);
          lastSent = e.id;
        };
        const seen = new Set<string>();
        const unsubscribe = app.feed.onAny((e) => {
          if (closed) return;
          if (replaying) queue.push(e);
          else if (!seen.has(e.id)) write(e);
        });
        // A revoked key's feed ends within the second, on whichever node it is open.
        const caller = req.adminCaller;
        const unRevoked = caller?.kind === 'app' ? app.sessiond.appKeys.onRevoked((id) => id === caller.key.id && res.end()) : () => {};
        const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
        req.raw.on('close', () => {
          closed = true;
          clearInterval(heartbeat);
          unsubscribe();
          unRevoked();
        });
        res.write('retry: 1000\n\n');
        try {
          if (lastSent === null) {
            lastSent = (await app.sessiond.store.listEvents({ limit: 1 }))[0]?.id ?? '0';
            res.write(`id: ${lastSent}\n\n`);
          }
          for (let page = 0; page < 100; page++) {
            const missed = await app.sessiond.store.listEvents({ afterId: lastSent, limit: REPLAY_LIMIT });
            for (const e of missed) {
              seen.add(e.id);
              write(e);
            }
            // Filtered events move the position too, so the next page starts after them.
            if (missed.length > 0) lastSent = missed[missed.length - 1]!.id;
            if (missed.length < REPLAY_LIMIT) break;
          }
        } catch {
          res.end();
          return;
        }
        replaying = false;
        // Live events that arrived during the replay, minus those the replay already sent.
        for (const e of queue.splice(0)) if (!seen.has(e.id)) write(e);
        seen.clear();
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
