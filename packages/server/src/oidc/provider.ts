import { SessiondError } from '@sessiond/core';
import * as oidc from 'openid-client';
import type { OidcProviderConfig } from '../config-file.ts';

/** How long a request to a provider may take before it counts as unreachable. */
const REQUEST_TIMEOUT_S = 5;
/** After a failed discovery, the next attempt waits at least this long (a provider that is down is not hammered). */
const RETRY_AFTER_MS = 1_000;

/**
 * A provider unreachable (connection refused, timed out, a 5xx): 503 provider_unavailable, and
 * never an ending (SPEC §15). Anything else it answers is an answer.
 */
export function isUnreachable(e: unknown): boolean {
  if (e instanceof TypeError && /fetch failed/i.test(e.message)) return true;
  const name = (e as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return true;
  const status = (e as { status?: unknown; cause?: { status?: unknown } } | null)?.status ?? (e as { cause?: { status?: unknown } } | null)?.cause?.status;
  return typeof status === 'number' && status >= 500;
}

export function unavailable(provider: OidcProviderConfig): SessiondError {
  return new SessiondError('provider_unavailable', { facts: { provider: provider.label }, retryAfter: 2 });
}

/**
 * One configured identity provider. Discovery is lazy and retried: an unreachable provider at
 * start-up does not stop sessiond, and the first request after it comes back discovers it.
 */
export class OidcProvider {
  private discovered: Promise<oidc.Configuration> | null = null;
  private failedAt = 0;

  constructor(
    readonly config: OidcProviderConfig,
    private readonly now: () => number,
  ) {}

  get name(): string {
    return this.config.name;
  }
  get label(): string {
    return this.config.label;
  }

  /** The discovered configuration; throws provider_unavailable while it cannot be had. */
  async configuration(): Promise<oidc.Configuration> {
    if (!this.discovered) {
      if (this.now() - this.failedAt < RETRY_AFTER_MS) throw unavailable(this.config);
      this.discovered = this.discover();
      this.discovered.catch(() => {
        this.discovered = null;
        this.failedAt = this.now();
      });
    }
    try {
      return await this.discovered;
    } catch (e) {
      throw isUnreachable(e) || !(e instanceof SessiondError) ? unavailable(this.config) : e;
    }
  }

  private async discover(): Promise<oidc.Configuration> {
    const { issuer, clientId, clientSecret, tokenEndpointAuthMethod } = this.config;
    const auth = tokenEndpointAuthMethod === 'client_secret_post' ? oidc.ClientSecretPost(clientSecret) : oidc.ClientSecretBasic(clientSecret);
    const url = new URL(issuer);
    // http is accepted only for loopback issuers (config-file.ts), for tests and development.
    // ID tokens from the token endpoint are also checked against the provider's keys (OIDC Core
    // allows trusting TLS alone there): a signature is what makes the claims the provider's.
    const execute = [oidc.enableNonRepudiationChecks, ...(url.protocol === 'http:' ? [oidc.allowInsecureRequests] : [])];
    // The timeout given here stays on the configuration for every later request too.
    return oidc.discovery(url, clientId, {}, auth, { execute, timeout: REQUEST_TIMEOUT_S });
  }

  /**
   * Forgets the discovered configuration and with it the cached keys: the next use discovers
   * afresh. For a token signed with a key we have never seen (rotation), which openid-client would
   * otherwise look up again only once its copy is a minute old.
   */
  forget(): void {
    this.discovered = null;
  }

  /** Discovers now; the cause when it failed (logged at start-up: a wrong issuer is not an outage to wait out). */
  async discoveryFailure(): Promise<Error | null> {
    this.discovered ??= this.discover();
    try {
      await this.discovered;
      return null;
    } catch (e) {
      this.discovered = null;
      this.failedAt = this.now();
      return e instanceof Error ? e : new Error(String(e));
    }
  }

  /** Runs a request to the provider: its unreachability becomes provider_unavailable. */
  async call<T>(fn: (c: oidc.Configuration) => Promise<T>): Promise<T> {
    const c = await this.configuration();
    try {
      return await fn(c);
    } catch (e) {
      if (isUnreachable(e)) throw unavailable(this.config);
      throw e;
    }
  }
}
