import cors from '@fastify/cors';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { SessiondError } from '@sessiond/core';
import pino from 'pino';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { AppContext } from './context.ts';
import { registerContract, type ContractInstance } from './contract/openapi.ts';
import { checkResponses } from './contract/response-check.ts';
import { contractRoutes } from './contract/routes.ts';
import { checkOrigin, clearSessionCookie } from './http/auth.ts';
import { clientErrorHandler } from './http/client-errors.ts';
import { readCookie } from './http/cookies.ts';
import { noSniff } from './http/no-sniff.ts';
import { observeDurations, observeUnrouted } from './http/request-timing.ts';
import { relayedClientHook } from './http/relayed-client.ts';
import { fromFastifyError, sendError } from './http/errors.ts';
import { activeSessionsRoutes } from './routes/active-sessions.ts';
import { activityRoutes } from './routes/activity.ts';
import { adminRoutes } from './routes/admin.ts';
import { authRoutes } from './routes/auth.ts';
import { currentSessionRoutes } from './routes/current-session.ts';
import { demoRoutes } from './routes/demo.ts';
import { draftKeyRoutes } from './routes/draft-key.ts';
import { healthRoutes } from './routes/health.ts';
import { notFoundPage, pageRoutes } from './routes/pages.ts';
import { reasonRoutes } from './routes/reasons.ts';
import { sessionDataRoutes } from './routes/session-data.ts';

const BODY_LIMIT = 16 * 1024;

const silentLogger = pino({ level: 'silent' });

/** Extra route plugins (token mode, the admin events feed) registered by their own modules. */
export type RoutePlugin = (f: ContractInstance, app: AppContext) => Promise<void>;

export interface BuildOptions {
  logger?: FastifyBaseLogger;
  extraRoutes?: RoutePlugin[];
}

/** A hop count becomes "trust the nearest N proxies"; Fastify's types take it only as a function. */
function trustProxyOption(v: AppContext['config']['trustProxy']): false | string[] | ((addr: string, hop: number) => boolean) {
  return typeof v === 'number' ? (_addr, hop) => hop < v : v;
}

export async function buildApp(app: AppContext, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const logger = opts.logger ?? silentLogger;
  // Fastify derives a child logger for every request; below debug nothing uses it, and errors go
  // to the root logger. Fastify's null logger, not a silent pino: its child() is the logger itself,
  // where even a silent pino builds a child per request (a measurable share of the hot path).
  const requestLogs = ['debug', 'trace'].includes(logger.level);
  const f = Fastify({
    ...(requestLogs ? { loggerInstance: logger } : { logger: false }),
    // Per-request log lines cost throughput; they are written only at debug and trace.
    logController: new LogController({ disableRequestLogging: !requestLogs }),
    bodyLimit: BODY_LIMIT,
    trustProxy: trustProxyOption(app.config.trustProxy),
    // Extra headers and URL session ids are ignored; bad JSON types are errors, never coerced.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    return503OnClosing: true,
    // Push channels stay open for hours: closing the server must not wait for them.
    forceCloseConnections: true,
    routerOptions: { maxParamLength: 200 },
    // Requests the HTTP parser refuses (oversized headers, smuggling attempts) get the SPEC's shape.
    clientErrorHandler,
    // Errors raised while routing (malformed %-escapes, overlong ids) get the SPEC's shape too.
    frameworkErrors: (err, req, reply) => {
      noSniff(reply);
      observeUnrouted(app, req, reply);
      void sendError(reply, fromFastifyError(err as never) ?? new SessiondError('invalid_request'));
    },
  });
  await registerContract(f);
  if (app.config.checkResponses) checkResponses(f, logger);
  f.decorateRequest('session', null);
  f.decorateRequest('credentialKind', null);
  f.decorateRequest('adminCaller', null);
  f.decorateRequest('relayedClient', null);
  f.decorateRequest('startedAt', 0);

  // Callback-style hooks, as few as possible: each is a call on every request, and an async one a
  // promise too. Before CORS, so that its preflight answers carry nosniff too.
  f.addHook('onRequest', (req, reply, done) => {
    req.startedAt = performance.now();
    noSniff(reply);
    done();
  });
  // Registered apps' own origins (SESSIOND_CONFIG apps.<name>.origins) may call with the cookie:
  // exactly those, never a pattern; the CSRF check accepts the same list (server.ts).
  const appOrigins = Object.values(app.config.appOrigins).flat();
  if (appOrigins.length > 0) await f.register(cors, { origin: appOrigins, credentials: true, allowedHeaders: ['content-type', 'authorization', 'x-sessiond-passive', 'if-match'], maxAge: 600 });
  // The relay's key first: a relaying app backend passes the CSRF check (relayed-client.ts).
  const relayedClient = relayedClientHook(app);
  const originCheck = checkOrigin(app);
  f.addHook('onRequest', (req, reply, done) => {
    relayedClient(req, reply, (err) => {
      if (err) return done(err);
      try {
        originCheck(req);
        done();
      } catch (e) {
        done(e as Error);
      }
    });
  });
  observeDurations(f, app);
  f.setErrorHandler(async (err, req, reply) => {
    let e: SessiondError | null = err instanceof SessiondError ? err : fromFastifyError(err as never);
    if (!e) {
      logger.error({ err, method: req.method, url: req.routeOptions.url }, 'unexpected error');
      e = new SessiondError('internal_error');
    }
    if (e.code === 'store_unavailable') app.metrics.storeErrors.inc();
    // A cookie that no longer works is removed, so the browser stops presenting it.
    if ((e.code === 'session_ended' || e.code === 'invalid_token') && readCookie(req.headers.cookie, app.cookieNames.session) && !req.headers.authorization) {
      clearSessionCookie(reply, app);
    }
    return sendError(reply, e);
  });
  const pageNotFound = notFoundPage(app);
  f.setNotFoundHandler(async (req, reply) => {
    observeUnrouted(app, req, reply);
    return pageNotFound?.(req, reply) ?? sendError(reply, new SessiondError('not_found.route'));
  });

  for (const plugin of [healthRoutes, reasonRoutes, authRoutes, currentSessionRoutes, draftKeyRoutes, activeSessionsRoutes, activityRoutes, sessionDataRoutes, adminRoutes, demoRoutes, pageRoutes, contractRoutes, ...(opts.extraRoutes ?? [])]) {
    await f.register(async (scope) => plugin(scope.withTypeProvider<TypeBoxTypeProvider>(), app));
  }
  return f;
}
