import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('has the SPEC defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 4000, host: '127.0.0.1', store: 'sqlite:./data/sessiond.db', trustProxy: false, signup: 'open', adminToken: null, publicUrl: null });
    expect(c.core.policy).toMatchObject({
      idleTimeoutMs: 30 * 60_000,
      absoluteTimeoutMs: 12 * 3_600_000,
      rememberMeIdleTimeoutMs: 7 * 86_400_000,
      rememberMeTimeoutMs: 30 * 86_400_000,
      warningBeforeMs: 120_000,
      maxSessions: 0,
      onMaxSessions: 'evict_oldest',
      bindIp: 'off',
      bindDevice: 'off',
    });
    expect(c.core).toMatchObject({ accessTokenTtlMs: 300_000, refreshGraceMs: 30_000, tombstoneTtlMs: 7 * 86_400_000 });
  });

  it('reads every variable', () => {
    const c = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      SESSIOND_PUBLIC_URL: 'https://auth.example.com/some/path',
      SESSIOND_STORE: 'redis://127.0.0.1:6379',
      SESSIOND_IDLE_TIMEOUT: '15m',
      SESSIOND_ABSOLUTE_TIMEOUT: '8h',
      SESSIOND_MAX_SESSIONS: '3',
      SESSIOND_ON_MAX_SESSIONS: 'reject',
      SESSIOND_BIND_IP: 'subnet',
      SESSIOND_BIND_DEVICE: 'strict',
      SESSIOND_TRUST_PROXY: '2',
      SESSIOND_SIGNUP: 'closed',
      SESSIOND_ADMIN_TOKEN: 'x'.repeat(32),
      SESSIOND_ACCESS_TOKEN_TTL: '90s',
      SESSIOND_REFRESH_GRACE: '2s',
    });
    expect(c.publicUrl).toBe('https://auth.example.com');
    expect(c.basePath).toBe('/some/path');
    expect(c.core.policy).toMatchObject({ idleTimeoutMs: 900_000, absoluteTimeoutMs: 28_800_000, maxSessions: 3, onMaxSessions: 'reject', bindIp: 'subnet', bindDevice: 'strict' });
    expect(c.core.accessTokenTtlMs).toBe(90_000);
    expect(c.trustProxy).toBe(2);
    expect(loadConfig({ SESSIOND_TRUST_PROXY: '10.0.0.0/8, 192.168.1.1' }).trustProxy).toEqual(['10.0.0.0/8', '192.168.1.1']);
  });

  it('takes the path of SESSIOND_PUBLIC_URL as the base path of the pages (sessiond behind the app at /auth)', () => {
    expect(loadConfig({}).basePath).toBe('');
    expect(loadConfig({ SESSIOND_PUBLIC_URL: 'https://app.example.com' }).basePath).toBe('');
    expect(loadConfig({ SESSIOND_PUBLIC_URL: 'https://app.example.com/auth/' })).toMatchObject({ publicUrl: 'https://app.example.com', basePath: '/auth' });
    expect(() => loadConfig({ SESSIOND_PUBLIC_URL: 'https://app.example.com/auth?x=1' })).toThrow(/SESSIOND_PUBLIC_URL.*no query/);
    expect(() => loadConfig({ SESSIOND_PUBLIC_URL: 'https://app.example.com/a%20b' })).toThrow(/not a plain path/);
  });

  it('refuses SESSIOND_TRUST_PROXY=true, saying to give the hop count or the proxies', () => {
    expect(() => loadConfig({ SESSIOND_TRUST_PROXY: 'true' })).toThrow(
      new ConfigError('SESSIOND_TRUST_PROXY', '"true" would trust any address a client writes into X-Forwarded-For; give the number of proxies in front of sessiond (e.g. 1) or their addresses/CIDRs'),
    );
  });

  it.each(['0.0.0.0/0', '::/0', '10.0.0.1, 0.0.0.0/0,::/0'])('refuses SESSIOND_TRUST_PROXY=%s: a /0 trusts every address', (raw) => {
    expect(() => loadConfig({ SESSIOND_TRUST_PROXY: raw })).toThrow(/SESSIOND_TRUST_PROXY.*"(0\.0\.0\.0|::)\/0" trusts every address/);
  });

  it('refuses a hop count above 10 and takes 10', () => {
    expect(() => loadConfig({ SESSIOND_TRUST_PROXY: '1000' })).toThrow(/SESSIOND_TRUST_PROXY.*1000 hops.*at most 10/);
    expect(() => loadConfig({ SESSIOND_TRUST_PROXY: '11' })).toThrow(/at most 10/);
    expect(loadConfig({ SESSIOND_TRUST_PROXY: '10' }).trustProxy).toBe(10);
  });

  it.each([
    ['PORT', '99999'],
    ['SESSIOND_IDLE_TIMEOUT', 'half an hour'],
    ['SESSIOND_ABSOLUTE_TIMEOUT', '-1h'],
    ['SESSIOND_STORE', 'mysql://x'],
    ['SESSIOND_ON_MAX_SESSIONS', 'kick'],
    ['SESSIOND_BIND_IP', 'yes'],
    ['SESSIOND_PUBLIC_URL', 'ftp://x'],
    ['SESSIOND_ADMIN_TOKEN', 'short'],
    ['SESSIOND_TRUST_PROXY', 'maybe'],
    ['SESSIOND_MAX_SESSIONS', '2.5'],
    ['SESSIOND_APPS', 'web,Banking'],
    ['SESSIOND_APPS', 'web,,api'],
    ['SESSIOND_APPS', 'a-very-long-app-name-of-more-than-32'],
    ['SESSIOND_APPS', 'web,any'],
    ['SESSIOND_METRICS', 'public'],
  ])('rejects a bad %s, naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name}: `));
  });

  it('registers web, desktop and api by default; SESSIOND_APPS replaces them, web always stays', () => {
    expect(loadConfig({}).core.apps).toEqual(['web', 'desktop', 'api']);
    expect(loadConfig({ SESSIOND_APPS: 'banking, api' }).core.apps).toEqual(['web', 'banking', 'api']);
    expect(loadConfig({ SESSIOND_APPS: 'web' }).core.apps).toEqual(['web']);
  });

  it('SESSIOND_METRICS is open on a loopback bind and protected on any other, unless set', () => {
    expect(loadConfig({}).metrics).toBe('open');
    expect(loadConfig({ HOST: '::1' }).metrics).toBe('open');
    expect(loadConfig({ HOST: '0.0.0.0' }).metrics).toBe('protected');
    expect(loadConfig({ HOST: '10.1.2.3' }).metrics).toBe('protected');
    expect(loadConfig({ HOST: '0.0.0.0', SESSIOND_METRICS: 'open' }).metrics).toBe('open');
    expect(loadConfig({ SESSIOND_METRICS: 'protected' }).metrics).toBe('protected');
  });
});
