import { DEFAULT_THROTTLE, enqueueOnRecord, keyedFingerprint, Sessiond, Webhooks, SignInThrottle, systemClock, type Clock, type PasswordHasher } from '@sessiond/core';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp, type RoutePlugin } from './app.ts';
import type { ServerConfig } from './config.ts';
import { originsFor, type AppContext, type TokenMode } from './context.ts';
import { SessionFeed } from './feed.ts';
import { createLocator } from './geo.ts';
import { createLogger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { lockStoreForServing, openStore } from './open-store.ts';
import { Oidc } from './oidc/index.ts';
import { oidcRoutes } from './oidc/routes.ts';
import { UpstreamRefresh } from './oidc/upstream.ts';
import { argon2Hasher } from './passwords.ts';
import { checkKeyEncryptionKey, loadKeyEncryptionKey, subkey } from './token-mode/secrets.ts';
import { DeliveryWorker } from './webhooks/delivery-worker.ts';
import { webhookSecretSealer } from './webhooks/sealed-secrets.ts';

const SWEEP_EVERY_MS = 5_000;

export interface RunningServer {
  url: string;
  app: AppContext;
  fastify: FastifyInstance;
  close(): Promise<void>;
}

export interface StartOptions {
  clock?: Clock;
  passwords?: PasswordHasher;
  logger?: Logger;
  /** Token mode and other features plug in here. */
  tokenMode?: (app: AppContext) => Promise<TokenMode>;
  extraRoutes?: RoutePlugin[];
}

/** Opens the store, wires the domain, listens, and sweeps expired sessions in the background. */
export async function startServer(config: ServerConfig, opts: StartOptions = {}): Promise<RunningServer> {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const keyEncryptionKey = loadKeyEncryptionKey(config);
  const lock = await lockStoreForServing(config.store);
  const store = await openStore(config.store, { sqliteSync: config.sqliteSync });
  await checkKeyEncryptionKey(store, keyEncryptionKey).catch(async (e: unknown) => {
    await store.close();
    lock?.release();
    throw e;
  });
  const clock = opts.clock ?? systemClock;
  const metrics = createMetrics();
  const webhooks = new Webhooks(store, clock, config.webhooks.configured, webhookSecretSealer(keyEncryptionKey));
  await webhooks.start();
  const deliveries = new DeliveryWorker({ queue: store, webhooks, clock, retry: config.webhooks.retry, timeoutMs: config.webhooks.timeoutMs, metrics, logger: logger as never });
  // Every event this node records queues its webhook deliveries before the call returns.
  enqueueOnRecord(store, webhooks, (n) => {
    metrics.webhooksQueued.inc(n);
    deliveries.wake();
  });
  const fingerprint = keyedFingerprint(subkey(keyEncryptionKey, 'email fingerprints'));
  const sessiond = new Sessiond({
    store,
    clock,
    throttle: new SignInThrottle(store, clock, DEFAULT_THROTTLE, fingerprint),
    fingerprint,
    // Choice tokens at the device limit must verify on every node of the store.
    choiceKey: subkey(keyEncryptionKey, 'sign-in choices'),
    config: config.core,
    passwords: opts.passwords ?? argon2Hasher(),
    locate: createLocator(),
  });
  const secure = config.publicUrl?.startsWith('https:') ?? false;
  const app: AppContext = {
    config,
    logger: logger as never,
    sessiond,
    webhooks,
    feed: new SessionFeed(store),
    metrics,
    tokenMode: null,
    // __Host- makes the browser refuse the cookie unless Secure, Path=/ and no Domain: no subdomain can plant one.
    cookieNames: secure
      ? { session: '__Host-sessiond', device: '__Host-sessiond-device', browser: '__Host-sessiond-browser' }
      : { session: 'sessiond', device: 'sessiond_device', browser: 'sessiond_browser' },
    secureCookies: secure,
    allowedOrigins: new Set(),
    // Known once the port is (below); nothing issues a token before the server listens.
    publicOrigin: config.publicUrl ?? '',
    keyEncryptionKey,
  };
  if (opts.tokenMode) app.tokenMode = await opts.tokenMode(app);
  const oidc = new Oidc(app);
  if (config.oidc.some((p) => p.keepUpstreamFresh)) {
    const upstream = new UpstreamRefresh(app, oidc);
    app.onSsoActivity = (session) => upstream.onActivity(session);
  }
  const fastify = await buildApp(app, { logger: logger as never, extraRoutes: [...(opts.extraRoutes ?? []), oidcRoutes(oidc)] });
  await fastify.listen({ port: config.port, host: config.host });
  const address = fastify.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  for (const o of [...originsFor(config.publicUrl, port), ...Object.values(config.appOrigins).flat()]) app.allowedOrigins.add(o);
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}`;
  // One default: what is printed is what tokens name as their issuer.
  app.publicOrigin = config.publicUrl ?? url;
  // After listening: the redirect URIs need the origin, and a provider that is down must not hold up start-up.
  oidc.warmUp();

  let sweeping = false;
  const sweeper = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    sessiond.sessions
      .sweep()
      .catch((err: unknown) => logger.warn({ err }, 'sweep failed; will retry'))
      .finally(() => (sweeping = false));
  }, SWEEP_EVERY_MS);
  sweeper.unref();
  deliveries.start();

  return {
    url,
    app,
    fastify,
    async close() {
      clearInterval(sweeper);
      await deliveries.stop();
      await fastify.close();
      webhooks.close();
      app.feed.close();
      sessiond.close();
      await store.close();
      lock?.release();
    },
  };
}
