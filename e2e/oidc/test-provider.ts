import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import Provider from 'oidc-provider';
import { createMemoryAdapter } from 'oidc-provider/lib/adapters/memory_adapter.js';

/** A free loopback port: the provider's issuer and sessiond's redirect URI must be known before either listens. */
export async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export async function signingKey(kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
}

export interface ClientRegistration {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  backchannel_logout_uri?: string;
  post_logout_redirect_uris?: string[];
}

/**
 * A real OpenID Provider (oidc-provider, certified by the OpenID Foundation) on loopback, with its
 * development login page (any login, any password), back-channel logout and RP-initiated logout.
 * `restart` brings it back on the same port (after an outage), with new keys when given (rotation).
 */
export class TestProvider {
  provider: any;
  private server: Server | null = null;
  readonly issuer: string;
  /** Every back-channel logout the provider sent, whether the RP took it, and when it answered. */
  readonly backchannel: { ok: boolean; error?: string; at: number }[] = [];

  private constructor(
    readonly port: number,
    private clients: ClientRegistration[],
    private keys: JWK[],
  ) {
    this.issuer = `http://127.0.0.1:${port}`;
  }

  /** Refresh-token grants the provider answered, successful or refused. */
  readonly refreshes: { ok: boolean; at: number; error?: string }[] = [];
  private accessTokenTtlS = 3600;
  /** Kept across restarts: an outage does not make a provider forget its sessions and grants. */
  private readonly adapter = createMemoryAdapter();

  static async start(clients: ClientRegistration[], opts: { port?: number; kid?: string; accessTokenTtlS?: number } = {}): Promise<TestProvider> {
    const p = new TestProvider(opts.port ?? (await freePort()), clients, [await signingKey(opts.kid ?? 'key-1')]);
    if (opts.accessTokenTtlS) p.accessTokenTtlS = opts.accessTokenTtlS;
    await p.listen();
    return p;
  }

  private async listen(): Promise<void> {
    this.provider = new Provider(this.issuer, {
      adapter: this.adapter,
      clients: this.clients.map((c) => ({
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        backchannel_logout_session_required: true,
        ...c,
      })),
      async findAccount(_ctx: unknown, sub: string) {
        return { accountId: sub, claims: async () => ({ sub, email: `${sub}@example.test`, email_verified: true, name: sub }) };
      },
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      scopes: ['openid', 'email', 'profile', 'offline_access'],
      features: { devInteractions: { enabled: true }, backchannelLogout: { enabled: true }, rpInitiatedLogout: { enabled: true } },
      jwks: { keys: this.keys },
      cookies: { keys: ['test-provider-cookie-key'] },
      pkce: { required: () => true },
      // Refresh tokens for every code grant of a client allowed them (keepUpstreamFresh), not only with offline_access.
      issueRefreshToken: async (_ctx: unknown, client: any) => client.grantTypeAllowed('refresh_token'),
      // Everything here is on loopback, which the provider's SSRF guard refuses: its requests (the
      // back-channel logout to sessiond) go out through plain fetch instead.
      fetch: (url: string, options: RequestInit & { dispatcher?: unknown }) => {
        delete options.dispatcher;
        return globalThis.fetch(url, options);
      },
      // Standard claims in the ID token too (as Keycloak, Entra and Google send them), not only at userinfo.
      conformIdTokenClaims: false,
      ttl: { AccessToken: this.accessTokenTtlS, IdToken: 3600, RefreshToken: 86400, Session: 86400, Interaction: 600, Grant: 86400 },
    });
    this.provider.on('backchannel.success', () => this.backchannel.push({ ok: true, at: Date.now() }));
    this.provider.on('backchannel.error', (_ctx: unknown, err: Error) => this.backchannel.push({ ok: false, error: err.message, at: Date.now() }));
    this.provider.on('grant.success', (ctx: any) => ctx.oidc.params?.grant_type === 'refresh_token' && this.refreshes.push({ ok: true, at: Date.now() }));
    this.provider.on('grant.error', (ctx: any, err: any) => ctx.oidc.params?.grant_type === 'refresh_token' && this.refreshes.push({ ok: false, at: Date.now(), error: `${err.message} ${err.error_detail ?? ''}` }));
    this.server = createServer(this.provider.callback());
    await new Promise<void>((r) => this.server!.listen(this.port, '127.0.0.1', () => r()));
  }

  /** An outage: nothing listens on the port until `restart`. */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }

  /** Back on the same port; with `rotateTo`, signing with a new key only (the old one is gone from its JWKS). */
  async restart(opts: { rotateTo?: string } = {}): Promise<void> {
    await this.stop();
    if (opts.rotateTo) this.keys = [await signingKey(opts.rotateTo)];
    await this.listen();
  }

  /**
   * A logout token made and signed by the provider's own code (what its back-channel logout sends),
   * with claims a test may change: the forged, replayed and malformed cases start from a real one.
   */
  async logoutToken(clientId: string, claims: { sub: string; sid?: string }, change: (set: (k: string, v: unknown) => void) => void = () => {}): Promise<string> {
    const client = await this.provider.Client.find(clientId);
    const token = new this.provider.IdToken({ sub: claims.sub }, { client });
    token.mask = { sub: null };
    token.set('events', { 'http://schemas.openid.net/event/backchannel-logout': {} });
    token.set('jti', `jti-${Math.random().toString(36).slice(2)}`);
    if (claims.sid) token.set('sid', claims.sid);
    change((k, v) => token.set(k, v));
    return token.issue({ use: 'logout' });
  }

  /**
   * A JWT signed with the provider's current key (so its signature is good) but written by the test:
   * for headers and claim sets the provider's own code never issues (another `typ`, no `jti`, no `sid` or `sub`).
   */
  async signWithProviderKey(payload: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
    const jwk = this.keys[0]!;
    return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: jwk.kid, ...header }).sign(await importJWK(jwk, 'RS256'));
  }

  /** The provider's own back-channel logout of one of its sessions, to the client's registered URI. */
  async sendBackchannelLogout(clientId: string, sub: string, sid: string): Promise<void> {
    const client = await this.provider.Client.find(clientId);
    await client.backchannelLogout(sub, sid);
  }
}
