import { endReasonMessage, expiresAt, SessiondError, type AuditEvent, type PublicUser, type SessionRecord } from '@sessiond/core';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { authenticate, clearSessionCookie, requestContext } from '../http/auth.ts';
import { viewOf } from '../http/views.ts';
import { PUSH_CHANNELS_PER_SESSION, PUSH_CHANNELS_PER_USER, PushChannels } from '../push-channels.ts';
import * as S from './schemas.ts';

const HEARTBEAT_MS = 15_000;
const REPLACED_RETRY_MS = 5 * 60_000;

/** The current session: who am I, stay signed in, log out, and its push channel. */
export async function sessionRoutes(f: FastifyInstance, app: AppContext): Promise<void> {
  const auth = authenticate(app);
  const users = app.sessiond.users;
  const channels = new PushChannels({ perSession: PUSH_CHANNELS_PER_SESSION, perUser: PUSH_CHANNELS_PER_USER, perNode: app.config.maxPushChannels }, app.metrics);

  // The answer depends only on the session record and the user's public view; both objects are
  // replaced (never mutated) when they change, so the serialised body can be kept per record.
  const bodies = new WeakMap<SessionRecord, { user: PublicUser; json: string }>();
  f.get('/v1/session', { preHandler: auth, schema: { response: { 200: { type: 'object', properties: { user: S.publicUser, session: S.sessionView } } } } }, async (req, reply) => {
    const s = req.session!;
    const user = await users.getPublic(s.userId);
    let cached = bodies.get(s);
    if (!cached || cached.user !== user) bodies.set(s, (cached = { user, json: JSON.stringify({ user, session: viewOf(app, s, s.id) }) }));
    return reply.header('cache-control', 'no-store').type('application/json; charset=utf-8').send(cached.json);
  });

  f.post('/v1/session/extend', { preHandler: auth }, async (req, reply) => {
    const s = await app.sessiond.sessions.extend(req.session!);
    return reply.header('cache-control', 'no-store').send({ session: viewOf(app, s, s.id) });
  });

  f.post('/v1/logout', { preHandler: auth }, async (req, reply) => {
    await app.sessiond.logout(req.session!);
    clearSessionCookie(reply, app);
    return reply.header('clear-site-data', '"cookies"').header('cache-control', 'no-store').code(204).send();
  });

  /**
   * Server-Sent Events for the signed-in browser: `session.ended` the moment this session ends on
   * any node (or reaches its deadline), `session.extended` when another tab kept it alive.
   * Holding the channel open is not activity.
   */
  // Holding the channel open is never activity, whatever headers the client could send.
  f.get('/v1/session/events', { preHandler: authenticate(app, { passive: true }) }, async (req, reply) => {
    let session: SessionRecord = req.session!;
    const ctx = { ...requestContext(req), passive: true };
    // Refused (429) before anything is written; a newer channel of this session closes this one.
    const release = channels.admit(session.id, session.userId, () => replaced());
    const res = reply.raw;
    reply.hijack();
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    let closed = false;
    // A deadline check and a feed event can both report the ending: write only while open.
    const send = (event: string, data: unknown) => {
      if (!closed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    let deadlineTimer: NodeJS.Timeout | undefined;
    const close = () => {
      if (closed) return;
      closed = true;
      release();
      clearInterval(heartbeat);
      clearTimeout(deadlineTimer);
      unsubscribe();
      res.end();
    };
    // The tab holding the oldest channel waits minutes before it reconnects, so several tabs
    // on one session take turns slowly instead of replacing each other every few seconds.
    const replaced = () => {
      if (!closed) res.write(`retry: ${REPLACED_RETRY_MS}\n: replaced by a newer channel of this session\n\n`);
      close();
    };
    const sendEnded = (reason: NonNullable<SessionRecord['endReason']>, endedAt: number, detail: SessionRecord['endDetail']) => {
      const policy = app.sessiond.sessions.policy(session.app);
      const message = endReasonMessage(reason, { detail, idleTimeoutMs: session.idleTimeoutMs, absoluteTimeoutMs: policy.absoluteTimeoutMs, maxSessions: policy.maxSessions });
      send('session.ended', { reason, message, endedAt: new Date(endedAt).toISOString() });
      close();
    };
    // Re-checks the session (passively) to learn its current deadline or why it ended.
    const recheck = async () => {
      try {
        session = await app.sessiond.sessions.validateById(session.id, ctx);
        const policy = app.sessiond.sessions.policy(session.app);
        const view = viewOf(app, session, session.id);
        send('session.extended', { expiresAt: view.expiresAt, warnAt: view.warnAt, idleExpiresAt: view.idleExpiresAt, absoluteExpiresAt: view.absoluteExpiresAt, warningBeforeMs: policy.warningBeforeMs });
        scheduleDeadline();
      } catch (e) {
        if (e instanceof SessiondError && e.code === 'session_ended' && e.reason) sendEnded(e.reason, e.endedAt ?? Date.now(), (e.details as SessionRecord['endDetail']) ?? null);
        else if (e instanceof SessiondError && e.code === 'invalid_token') close();
        // store_unavailable: keep the channel; the next event or deadline check tries again.
      }
    };
    const scheduleDeadline = () => {
      clearTimeout(deadlineTimer);
      const wait = Math.min(2 ** 31 - 1, Math.max(0, expiresAt(session) - app.sessiond.clock.now()) + 50);
      deadlineTimer = setTimeout(() => void recheck(), wait);
    };
    const onEvent = (e: AuditEvent) => {
      if (closed) return;
      if (e.type === 'session.ended' && e.sessionId === session.id) {
        const detail = (e.data.detail as SessionRecord['endDetail']) ?? null;
        sendEnded(e.reason ?? 'logged_out', e.at, detail);
      } else if (e.type === 'sessions.ended_all') {
        sendEnded(e.reason ?? 'global_logout', e.at, null);
      } else if (e.type === 'session.extended' || e.type === 'session.refreshed' || e.type === 'session.reauthenticated') {
        void recheck();
      }
    };
    const unsubscribe = app.feed.onSession(session.id, onEvent);
    const heartbeat = setInterval(() => !closed && res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    req.raw.on('close', close);
    res.on('close', close);
    res.on('error', close);
    // A client that left while it was being authenticated fired 'close' before anyone listened;
    // without this its channel would count against the user and the node until the session ends.
    if (req.raw.socket.destroyed || res.destroyed) return close();
    res.write('retry: 2000\n\n');
    const view = viewOf(app, session, session.id);
    send('session.state', { expiresAt: view.expiresAt, warnAt: view.warnAt, idleExpiresAt: view.idleExpiresAt, absoluteExpiresAt: view.absoluteExpiresAt });
    scheduleDeadline();
  });
}
