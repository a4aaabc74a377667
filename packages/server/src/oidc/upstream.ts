import { SessiondError, type SessionRecord } from '@sessiond/core';
import * as client from 'openid-client';
import type { AppContext } from '../context.ts';
import type { Oidc } from './index.ts';
import { unavailable } from './provider.ts';
import { tokenPurpose, upstreamTimes } from './routes.ts';

/** Two nodes must not both spend one rotating refresh token: the first to claim it refreshes. */
// (the claim is a store counter, shared by every node)
const REFRESH_CLAIM_MS = 10_000;

/**
 * keepUpstreamFresh (SPEC §15): activity on an SSO session refreshes the provider's tokens from
 * half their lifetime on, so an upstream expiry never signs the person out by itself. Only
 * activity: a passive request never reaches here. A refusal ends the session (`sso_ended`); a
 * provider that cannot be reached is 503 `provider_unavailable` once the upstream token has
 * expired (until then the request goes through), and never an ending.
 */
export class UpstreamRefresh {
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly app: AppContext,
    private readonly oidc: Oidc,
  ) {}

  /** Called for each active (not passive) request of a session. */
  async onActivity(session: SessionRecord): Promise<void> {
    const sso = session.sso;
    const provider = sso ? this.oidc.providers.get(sso.provider) : undefined;
    if (!sso || !provider?.config.keepUpstreamFresh || !sso.refreshToken || sso.upstreamRefreshAt === null) return;
    const now = this.app.sessiond.clock.now();
    if (now < sso.upstreamRefreshAt) return;
    const expired = sso.upstreamExpiresAt !== null && now >= sso.upstreamExpiresAt;
    let run = this.inFlight.get(session.id);
    if (!run) {
      run = this.refresh(session).finally(() => this.inFlight.delete(session.id));
      this.inFlight.set(session.id, run);
    }
    if (expired) {
      // Nothing vouches for the session any more until the provider answers: wait for it.
      await run;
      return;
    }
    // Still valid upstream: refresh behind the answer; an ending reaches the tab by its push channel.
    run.catch((err: unknown) => {
      if (!(err instanceof SessiondError)) this.app.logger.warn({ err, provider: provider.name }, 'refreshing the provider tokens failed; will retry on next activity');
    });
  }

  private async refresh(session: SessionRecord): Promise<void> {
    const sso = session.sso!;
    const provider = this.oidc.provider(sso.provider);
    const { sessiond } = this.app;
    if ((await sessiond.store.incrementCounter(`oidc-refresh:${session.id}`, REFRESH_CLAIM_MS, sessiond.clock.now())) !== 1) return;
    try {
      const refreshToken = this.oidc.sealer.open(sso.refreshToken!, tokenPurpose('refresh_token', sso.issuer, sso.subject));
      if (!refreshToken) throw new Error('the sealed refresh token does not open with this key');
      let tokens: Awaited<ReturnType<typeof client.refreshTokenGrant>>;
      try {
        tokens = await provider.call((c) => client.refreshTokenGrant(c, refreshToken));
      } catch (e) {
        if (e instanceof SessiondError) throw e;
        if (e instanceof client.ResponseBodyError && e.status >= 400 && e.status < 500) {
          // The provider refused (invalid_grant: revoked, expired, the person was signed out there).
          const ended = await sessiond.sso.ended(session);
          throw sessiond.sessions.endedError(ended ?? { ...session, endedAt: sessiond.clock.now(), endReason: 'sso_ended', endDetail: { provider: sso.label } });
        }
        throw unavailable(provider.config);
      }
      const at = sessiond.clock.now();
      const seal = (kind: 'id_token' | 'refresh_token', value: string) => this.oidc.sealer.seal(value, tokenPurpose(kind, sso.issuer, sso.subject));
      await sessiond.store.updateSession(session.id, {
        sso: {
          ...sso,
          refreshToken: tokens.refresh_token ? seal('refresh_token', tokens.refresh_token) : sso.refreshToken,
          idToken: sso.idToken && tokens.id_token ? seal('id_token', tokens.id_token) : sso.idToken,
          ...upstreamTimes(tokens.expires_in, at),
        },
      });
      // Every node drops its cached copy (which still holds the spent refresh token) on this event.
      await sessiond.store.recordEvent({ type: 'session.sso_refreshed', at, userId: session.userId, sessionId: session.id, ip: null, reason: null, data: { provider: sso.provider } });
    } catch (e) {
      // Only a refresh that did not happen gives the claim back; a done one keeps it for its TTL, so a
      // node whose cache is a moment stale cannot spend the old refresh token again.
      if (!(e instanceof SessiondError && e.code === 'session_ended')) await sessiond.store.resetCounter(`oidc-refresh:${session.id}`);
      throw e;
    }
  }
}
