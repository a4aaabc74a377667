import { PUSH_CHANNELS_PER_SESSION, PUSH_CHANNELS_PER_USER, PushChannelCaps, watchSession, type PublicUser, type SessionRecord } from '@sessiond/core';
import { session as C } from '@sessiond/contract';
import type { ContractInstance } from '../contract/openapi.ts';
import type { AppContext } from '../context.ts';
import { authenticate, clearSessionCookie, requestContext } from '../http/auth.ts';
import { noSniffHead } from '../http/no-sniff.ts';
import { viewOf } from '../http/views.ts';

const HEARTBEAT_MS = 15_000;
const REPLACED_RETRY_MS = 5 * 60_000;

/** The current session: who am I, stay signed in, log out, and its push channel. */
export async function currentSessionRoutes(f: ContractInstance, app: AppContext): Promise<void> {
  const auth = authenticate(app);
  const users = app.sessiond.users;
  // How many channels, which one closes, when to refuse: core's rule (push-channel-caps.ts).
  const channels = new PushChannelCaps(
    { perSession: PUSH_CHANNELS_PER_SESSION, perUser: PUSH_CHANNELS_PER_USER, perNode: app.config.maxPushChannels },
    { opened: () => app.metrics.pushChannelsOpen.inc(), closed: () => app.metrics.pushChannelsOpen.dec(), refused: (limit) => app.metrics.pushChannelsRefused.inc({ limit }) },
  );

  // The answer depends only on the session record and the user's public view; both objects are
  // replaced (never mutated) when they change, so the serialised body can be kept per record.
  const bodies = new WeakMap<SessionRecord, { user: PublicUser; json: string }>();
  f.get('/v1/session', { preHandler: auth, schema: C.currentSession }, async (req, reply) => {
    const s = req.session!;
    const user = await users.getPublic(s.userId);
    let cached = bodies.get(s);
    if (!cached || cached.user !== user) bodies.set(s, (cached = { user, json: JSON.stringify({ user, session: viewOf(app, s, s.id) }) }));
    // Already serialised (fast-json-stringify is skipped); SESSIOND_CHECK_RESPONSES still checks it.
    return reply.header('cache-control', 'no-store').type('application/json; charset=utf-8').send(cached.json as never);
  });

  f.post('/v1/session/extend', { preHandler: auth, schema: C.extendSession }, async (req, reply) => {
    const s = await app.sessiond.sessions.extend(req.session!);
    return reply.header('cache-control', 'no-store').send({ session: viewOf(app, s, s.id) });
  });

  f.post('/v1/logout', { preHandler: auth, schema: C.logout }, async (req, reply) => {
    await app.sessiond.logout(req.session!);
    clearSessionCookie(reply, app);
    return reply.header('clear-site-data', '"cookies"').header('cache-control', 'no-store').code(204).send();
  });

  /**
   * Server-Sent Events for the signed-in browser: what `watchSession` reports (the ending, on any
   * node or at the deadline; extensions by other tabs), as frames. Holding the channel open is
   * never activity, whatever headers the client could send.
   */
  f.get('/v1/session/events', { preHandler: authenticate(app, { passive: true }), schema: C.sessionEvents }, async (req, reply) => {
    const session = req.session!;
    // Refused (429) before anything is written; a newer channel of this session closes this one.
    const release = channels.admit(session.id, session.userId, () => replaced());
    const res = reply.raw;
    reply.hijack();
    res.writeHead(200, {
      ...noSniffHead,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    let closed = false;
    // Set once the watch starts: a channel closed before that has nothing to stop.
    let stopWatching = () => {};
    const close = () => {
      if (closed) return;
      closed = true;
      release();
      clearInterval(heartbeat);
      stopWatching();
      res.end();
    };
    // The tab holding the oldest channel waits minutes before it reconnects, so several tabs
    // on one session take turns slowly instead of replacing each other every few seconds.
    const replaced = () => {
      if (!closed) res.write(`retry: ${REPLACED_RETRY_MS}\n: replaced by a newer channel of this session\n\n`);
      close();
    };
    const heartbeat = setInterval(() => !closed && res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    req.raw.on('close', close);
    res.on('close', close);
    res.on('error', close);
    // A client that left while it was being authenticated fired 'close' before anyone listened;
    // without this its channel would count against the user and the node until the session ends.
    if (req.raw.socket.destroyed || res.destroyed) return close();
    res.write('retry: 2000\n\n');
    stopWatching = watchSession(app.sessiond, session, requestContext(req), {
      subscribe: (id, listener) => app.feed.onSession(id, listener),
      send: (m) => !closed && res.write(`event: ${m.event}\ndata: ${JSON.stringify(m.data)}\n\n`),
      finished: close,
    });
  });
}
