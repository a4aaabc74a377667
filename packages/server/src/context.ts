import type { Sessiond, SessionRecord, Webhooks } from '@sessiond/core';
import type { FastifyBaseLogger } from 'fastify';
import type { ServerConfig } from './config.ts';
import type { SessionFeed } from './feed.ts';
import type { Metrics } from './metrics.ts';

/** Token mode lives behind this seam (access JWTs, refresh rotation, keys). */
export interface TokenMode {
  /** Verifies an access JWT offline and returns its session id, or throws invalid_token. */
  verifyAccessToken(jwt: string): Promise<{ sessionId: string }>;
  /**
   * For a session just started in token mode: sets up its refresh state and returns the login
   * answer's token fields `{ accessToken, accessTokenExpiresAt, refreshToken }`.
   */
  issueFor(session: SessionRecord): Promise<Record<string, unknown>>;
}

/** What every route can reach; built once at start-up. */
export interface AppContext {
  config: ServerConfig;
  /** The root logger (requests get a silent one below debug level). */
  logger: FastifyBaseLogger;
  sessiond: Sessiond;
  /** Webhook registrations (SPEC §12); deliveries are the server's DeliveryWorker. */
  webhooks: Webhooks;
  feed: SessionFeed;
  metrics: Metrics;
  tokenMode: TokenMode | null;
  cookieNames: { session: string; device: string; browser: string };
  secureCookies: boolean;
  /** Origins whose state-changing requests are accepted; filled once the port is known. */
  allowedOrigins: Set<string>;
  /**
   * sessiond's own origin: SESSIOND_PUBLIC_URL, else the address the server prints once it listens
   * (`http://127.0.0.1:PORT` by default). Access tokens' `iss` is this, so a verifier configured
   * with the printed URL accepts them.
   */
  publicOrigin: string;
  /**
   * Runs after a request that counts as activity validated an SSO session (SPEC §15's
   * keepUpstreamFresh); may end it (sso_ended) or answer provider_unavailable.
   */
  onSsoActivity?: (session: SessionRecord) => Promise<void>;
  /** The same on every node of the store (checked at start-up); derive subkeys with `subkey`. */
  keyEncryptionKey: Buffer;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the `authenticate` hook. */
    session: SessionRecord | null;
    credentialKind: 'cookie' | 'bearer' | 'jwt' | null;
  }
}

/** Loopback names are interchangeable on a developer machine: accept each as an origin for the default URL. */
export function originsFor(publicUrl: string | null, port: number): Set<string> {
  if (publicUrl) return new Set([publicUrl]);
  return new Set([`http://localhost:${port}`, `http://127.0.0.1:${port}`, `http://[::1]:${port}`]);
}
