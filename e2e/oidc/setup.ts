import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type ServerProcess } from '../harness.ts';
import { freePort, TestProvider } from './test-provider.ts';

export const SECRET_A = 'acme-client-secret-0123456789';
export const SECRET_B = 'beta-client-secret-0123456789';

export interface OidcWorld {
  sessiond: ServerProcess;
  url: string;
  acme: TestProvider;
  beta: TestProvider;
  stop(): Promise<void>;
}

export interface ProviderOptions {
  endSessionAtProvider?: boolean;
  keepUpstreamFresh?: boolean;
  linkByEmail?: boolean;
}

/** Writes a SESSIOND_CONFIG naming the two test providers. */
export function writeConfig(acmeIssuer: string, betaIssuer: string, opts: ProviderOptions = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'sessiond-oidc-'));
  const file = join(dir, 'config.json');
  writeFileSync(
    file,
    JSON.stringify({
      oidc: {
        providers: {
          acme: { issuer: acmeIssuer, clientId: 'sessiond', clientSecret: SECRET_A, label: 'Acme SSO', ...opts },
          beta: { issuer: betaIssuer, clientId: 'sessiond-b', clientSecret: SECRET_B, label: 'Beta ID' },
        },
      },
    }),
  );
  return file;
}

/**
 * Two real providers and one sessiond that trusts both. "beta" also registered a redirect to
 * acme's callback: the mix-up attack needs a provider willing to send its answer to another's
 * callback, which is what a malicious or compromised provider would do.
 */
export async function startOidcWorld(opts: ProviderOptions = {}, env: Record<string, string> = {}, world: { backchannel?: boolean; accessTokenTtlS?: number } = {}): Promise<OidcWorld> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const acme = await TestProvider.start([
    {
      client_id: 'sessiond',
      client_secret: SECRET_A,
      redirect_uris: [`${url}/v1/oidc/acme/callback`],
      ...(world.backchannel === false ? {} : { backchannel_logout_uri: `${url}/v1/oidc/acme/backchannel-logout` }),
      post_logout_redirect_uris: [`${url}/login`],
    },
    // Another relying party of the same provider: its logout tokens carry its own aud.
    { client_id: 'other-rp', client_secret: 'other-rp-secret-0123456789', redirect_uris: ['http://127.0.0.1:9/cb'] },
  ], { accessTokenTtlS: world.accessTokenTtlS });
  const beta = await TestProvider.start([
    {
      client_id: 'sessiond-b',
      client_secret: SECRET_B,
      redirect_uris: [`${url}/v1/oidc/beta/callback`, `${url}/v1/oidc/acme/callback`],
      backchannel_logout_uri: `${url}/v1/oidc/beta/backchannel-logout`,
    },
    // beta's client registered under acme's client id: its tokens would carry aud "sessiond".
    { client_id: 'sessiond', client_secret: SECRET_A, redirect_uris: [`${url}/v1/oidc/acme/callback`] },
  ]);
  const sessiond = await startServer({ PORT: String(port), SESSIOND_PUBLIC_URL: url, SESSIOND_CONFIG: writeConfig(acme.issuer, beta.issuer, opts), ...env });
  return {
    sessiond,
    url,
    acme,
    beta,
    async stop() {
      await sessiond.stop();
      await acme.stop();
      await beta.stop();
    },
  };
}
