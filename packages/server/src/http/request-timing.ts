import type { FastifyInstance, FastifyReply, FastifyRequest, onSendHookHandler } from 'fastify';
import type { AppContext } from '../context.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** performance.now() when the first onRequest hook ran (0 before: a routing error). */
    startedAt: number;
  }
}

const seconds = (req: FastifyRequest) => (req.startedAt > 0 ? performance.now() - req.startedAt : 0) / 1000;

/**
 * `sessiond_http_request_duration_seconds`, observed when the answer is handed to Node. Each route
 * gets its own onSend hook that knows the route's label: a global onResponse hook costs two
 * listeners on every response and `req.routeOptions`, which builds a dozen-field object per read.
 * Event streams are hijacked, never sent through Fastify, so hours-long channels are not counted
 * as request durations.
 */
export function observeDurations(f: FastifyInstance, app: AppContext): void {
  f.addHook('onRoute', (route) => {
    const label = route.url;
    const observe: onSendHookHandler = (req, reply, payload, done) => {
      app.metrics.observeRequest(label, reply.statusCode, seconds(req));
      done(null, payload);
    };
    route.onSend = route.onSend ? [...(Array.isArray(route.onSend) ? route.onSend : [route.onSend]), observe] : observe;
  });
}

/** For answers outside any route (not found, a URL the router refused): rare, so a listener will do. */
export function observeUnrouted(app: AppContext, req: FastifyRequest, reply: FastifyReply): void {
  reply.raw.once('finish', () => app.metrics.observeRequest('unknown', reply.statusCode, seconds(req)));
}
