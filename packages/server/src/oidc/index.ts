import { SessiondError } from '@sessiond/core';
import type { AppContext } from '../context.ts';
import { subkey } from '../token-mode/secrets.ts';
import { FlowCookie } from './flow-cookie.ts';
import { LogoutTokens } from './logout-token.ts';
import { OidcProvider } from './provider.ts';
import { Sealer } from './seal.ts';

/** Everything of SPEC §15 one server holds: its providers, their logout-token checks, the sealing key. */
export class Oidc {
  readonly providers = new Map<string, OidcProvider>();
  private readonly logoutTokens = new Map<string, LogoutTokens>();
  /** Seals what a provider hands us: the flow cookie, and ID and refresh tokens kept on sessions. */
  readonly sealer: Sealer;
  readonly flow: FlowCookie;

  constructor(private readonly app: AppContext) {
    const now = () => app.sessiond.clock.now();
    this.sealer = new Sealer(subkey(app.keyEncryptionKey, 'oidc sealing'));
    this.flow = new FlowCookie(app, this.sealer);
    for (const config of app.config.oidc) {
      const provider = new OidcProvider(config, now);
      this.providers.set(config.name, provider);
      this.logoutTokens.set(config.name, new LogoutTokens(provider, app.sessiond.store, now));
    }
  }

  /** Discovers every provider in the background: one that is down now is discovered on first use. */
  warmUp(): void {
    for (const p of this.providers.values()) {
      p.discoveryFailure().then((err) => err && this.app.logger.warn({ provider: p.name, err: err.message }, `identity provider "${p.name}" (${p.config.issuer}) cannot be reached yet; sign-in through it will retry`));
    }
  }

  provider(name: string): OidcProvider {
    const p = this.providers.get(name);
    if (!p) throw new SessiondError('not_found.oidc_provider', { facts: { provider: name.slice(0, 64) } });
    return p;
  }

  logoutTokensOf(name: string): LogoutTokens {
    this.provider(name);
    return this.logoutTokens.get(name)!;
  }

  /**
   * Where sessiond's own paths are, as the browser and the provider see them: on the origin tokens
   * name as their issuer (`app.publicOrigin`, known once the server listens, before any sign-in),
   * under the base path. The redirect URI registered at the provider is built on it.
   */
  url(path: string): string {
    return `${this.app.publicOrigin}${this.app.config.basePath}${path}`;
  }

  redirectUri(name: string): string {
    return this.url(`/v1/oidc/${name}/callback`);
  }

  /** `next` if it stays on our origin (a path, resolved against it), else "/": never an open redirect. */
  safeNext(next: string | undefined): string {
    if (!next) return '/';
    try {
      const origin = this.app.publicOrigin;
      const u = new URL(next, origin);
      // `/.//evil.example` resolves to the path `//evil.example`, which a browser follows off-site.
      if (u.origin !== origin || u.pathname.startsWith('//') || u.pathname.startsWith('/\\')) return '/';
      return `${u.pathname}${u.search}${u.hash}`;
    } catch {
      return '/';
    }
  }
}
