import { APP_NAME, loadAppsSection, type OidcProviderConfig } from './config-file.ts';
import { DEFAULT_CORE_CONFIG, DEFAULT_POLICY, DEFAULT_RETRY_POLICY, parseDuration, type ConfiguredWebhook, type CoreConfig, type RetryPolicy, type SessionPolicy } from '@sessiond/core';
import { loadWebhooksSection } from './webhooks/config-section.ts';

/** Everything the server reads from its environment, validated once at start-up. */
export interface ServerConfig {
  port: number;
  host: string;
  /** null: the address the server prints (http://127.0.0.1:PORT), its loopback aliases also accepted as origins. */
  publicUrl: string | null;
  /**
   * The path SESSIOND_PUBLIC_URL puts sessiond under (`/auth`), '' at the root: the pages' links,
   * assets and API calls carry it. The proxy in front strips it; routes stay at the root.
   */
  basePath: string;
  store: string;
  trustProxy: false | number | string[];
  signup: 'open' | 'closed';
  adminToken: string | null;
  logLevel: string;
  dataDir: string;
  /** Path of a JSON config file with per-app policies (SESSIOND_CONFIG). */
  configFile: string | null;
  /** Push channels this node holds open at most (SESSIOND_MAX_PUSH_CHANNELS). */
  maxPushChannels: number;
  /** Browser origins per registered app (SESSIOND_CONFIG apps.<name>.origins). */
  appOrigins: Record<string, string[]>;
  /** `protected`: /metrics needs the admin token or a metrics:read app key. */
  metrics: 'open' | 'protected';
  /** SESSIOND_CHECK_RESPONSES=1, for tests: answers that do not match their documented schema become 500s. */
  checkResponses: boolean;
  /** SESSIOND_KEY_ENCRYPTION_KEY (base64, 32 bytes); null: a key file generated in the data folder. */
  keyEncryptionKey: string | null;
  /** NODE_ENV=production: warn about set-ups that are fine on a developer's machine only. */
  production: boolean;
  /** SESSIOND_SQLITE_SYNC=full: SQLite survives power loss too, at some cost per write. */
  sqliteSync: 'normal' | 'full';
  /** Identity providers (SESSIOND_CONFIG oidc.providers), SPEC §15. */
  oidc: OidcProviderConfig[];
  core: CoreConfig;
  webhooks: WebhookConfig;
}

/** Webhooks (SPEC §12): those of SESSIOND_CONFIG, and how deliveries are tried. */
export interface WebhookConfig {
  configured: ConfiguredWebhook[];
  retry: RetryPolicy;
  /** How long one delivery may take before it counts as failed (SESSIOND_WEBHOOK_TIMEOUT). */
  timeoutMs: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function duration(env: Env, name: string, fallbackMs: number, opts: { min?: number } = {}): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallbackMs;
  const ms = parseDuration(raw);
  if (ms === null) throw new ConfigError(name, `"${raw}" is not a duration; use e.g. 500ms, 45s, 30m, 12h or 30d`);
  if (opts.min !== undefined && ms < opts.min) throw new ConfigError(name, `"${raw}" is too short; the minimum is ${opts.min} ms`);
  return ms;
}

function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(values as readonly string[]).includes(raw)) throw new ConfigError(name, `"${raw}" must be one of ${values.join(', ')}`);
  return raw as T;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new ConfigError(name, `"${raw}" must be a whole number from ${min} to ${max}`);
  return Number(raw);
}

const MAX_PROXY_HOPS = 10;

function trustProxy(raw: string | undefined): ServerConfig['trustProxy'] {
  if (raw === undefined || raw === '' || raw === 'false') return false;
  // Trusting every hop lets a client write the leftmost X-Forwarded-For, so its own address there
  // would defeat throttling, IP binding and the audit log: say which proxies to trust instead.
  if (raw === 'true') throw new ConfigError('SESSIOND_TRUST_PROXY', '"true" would trust any address a client writes into X-Forwarded-For; give the number of proxies in front of sessiond (e.g. 1) or their addresses/CIDRs');
  if (/^\d+$/.test(raw)) {
    // A chain longer than this is no real deployment, and a huge count trusts every hop again.
    if (Number(raw) > MAX_PROXY_HOPS) throw new ConfigError('SESSIOND_TRUST_PROXY', `${raw} hops would trust addresses a client writes into X-Forwarded-For; give the number of proxies in front of sessiond (at most ${MAX_PROXY_HOPS}) or their addresses/CIDRs`);
    return Number(raw);
  }
  const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (list.every((s) => /^[0-9a-fA-F:.]+(\/\d+)?$/.test(s))) {
    const everyone = list.find((s) => /\/0+$/.test(s));
    if (everyone) throw new ConfigError('SESSIOND_TRUST_PROXY', `"${everyone}" trusts every address, so a client could write its own into X-Forwarded-For; list the proxies' addresses or their own networks`);
    return list;
  }
  throw new ConfigError('SESSIOND_TRUST_PROXY', `"${raw}" must be false, a hop count or a comma-separated list of proxy addresses/CIDRs`);
}

/** `https://app.example.com/auth/` → `/auth`: sessiond behind the app's own origin, at that path. */
function basePath(raw: string | undefined): string {
  if (raw === undefined || raw === '') return '';
  const u = new URL(raw); // publicUrl() has already refused what does not parse
  if (u.search || u.hash) throw new ConfigError('SESSIOND_PUBLIC_URL', `"${raw}" must have no query or fragment: an origin, optionally with a path such as https://app.example.com/auth`);
  const path = u.pathname.replace(/\/+$/, '');
  if (!/^(\/[A-Za-z0-9._~-]+)*$/.test(path)) throw new ConfigError('SESSIOND_PUBLIC_URL', `"${u.pathname}" is not a plain path: use letters, digits, ".", "_", "~" and "-" between slashes, e.g. /auth`);
  return path;
}

function publicUrl(raw: string | undefined): string | null {
  if (raw === undefined || raw === '') return null;
  try {
    const u = new URL(raw);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
    return u.origin;
  } catch {
    throw new ConfigError('SESSIOND_PUBLIC_URL', `"${raw}" must be an http(s) URL such as https://auth.example.com`);
  }
}

/** `web` always exists; SESSIOND_APPS and the config file's `apps` register more (SPEC §9). */
function registeredApps(raw: string | undefined, fromFile: string[]): string[] {
  const listed = raw === undefined || raw.trim() === '' ? ['web', 'desktop', 'api'] : raw.split(',').map((s) => s.trim());
  for (const name of listed) {
    if (!APP_NAME.test(name)) throw new ConfigError('SESSIOND_APPS', `"${name}" is not an app name; names match ${APP_NAME.source}, e.g. web,desktop,api`);
  }
  return [...new Set(['web', ...listed, ...fromFile])];
}

/** The Prometheus page shows sign-in failures and traffic: open only where only this machine can reach it. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function loadConfig(env: Env): ServerConfig {
  const port = integer(env, 'PORT', 4000, 0, 65535);
  const host = env.HOST || '127.0.0.1';
  const store = env.SESSIOND_STORE || 'sqlite:./data/sessiond.db';
  if (!/^(memory:|sqlite:.+|redis(s)?:\/\/.+|postgres(ql)?:\/\/.+)$/.test(store)) {
    throw new ConfigError('SESSIOND_STORE', `"${store}" must be memory:, sqlite:<path>, redis://… or postgres://…`);
  }
  const adminToken = env.SESSIOND_ADMIN_TOKEN || null;
  if (adminToken !== null && adminToken.length < 16) throw new ConfigError('SESSIOND_ADMIN_TOKEN', 'must be at least 16 characters (use a random value)');

  const policy: SessionPolicy = {
    idleTimeoutMs: duration(env, 'SESSIOND_IDLE_TIMEOUT', DEFAULT_POLICY.idleTimeoutMs, { min: 1000 }),
    absoluteTimeoutMs: duration(env, 'SESSIOND_ABSOLUTE_TIMEOUT', DEFAULT_POLICY.absoluteTimeoutMs, { min: 1000 }),
    rememberMeIdleTimeoutMs: duration(env, 'SESSIOND_REMEMBER_ME_IDLE_TIMEOUT', DEFAULT_POLICY.rememberMeIdleTimeoutMs, { min: 1000 }),
    rememberMeTimeoutMs: duration(env, 'SESSIOND_REMEMBER_ME_TIMEOUT', DEFAULT_POLICY.rememberMeTimeoutMs, { min: 1000 }),
    warningBeforeMs: duration(env, 'SESSIOND_WARNING_BEFORE', DEFAULT_POLICY.warningBeforeMs),
    maxSessions: integer(env, 'SESSIOND_MAX_SESSIONS', 0, 0, 10_000),
    onMaxSessions: oneOf(env, 'SESSIOND_ON_MAX_SESSIONS', ['evict_oldest', 'reject', 'choose'] as const, 'evict_oldest'),
    bindIp: oneOf(env, 'SESSIOND_BIND_IP', ['off', 'subnet', 'strict'] as const, 'off'),
    bindDevice: oneOf(env, 'SESSIOND_BIND_DEVICE', ['off', 'strict'] as const, 'off'),
    freshnessMs: duration(env, 'SESSIOND_FRESHNESS', DEFAULT_POLICY.freshnessMs, { min: 1000 }),
  };
  const core: CoreConfig = {
    ...DEFAULT_CORE_CONFIG,
    policy,
    tombstoneTtlMs: duration(env, 'SESSIOND_TOMBSTONE_TTL', DEFAULT_CORE_CONFIG.tombstoneTtlMs),
    accessTokenTtlMs: duration(env, 'SESSIOND_ACCESS_TOKEN_TTL', DEFAULT_CORE_CONFIG.accessTokenTtlMs, { min: 1000 }),
    refreshGraceMs: duration(env, 'SESSIOND_REFRESH_GRACE', DEFAULT_CORE_CONFIG.refreshGraceMs),
  };
  const configFile = env.SESSIOND_CONFIG || null;
  const apps = configFile ? loadAppsSection(configFile) : { policies: {}, origins: {}, oidc: [] };
  core.appPolicies = apps.policies;
  core.apps = registeredApps(env.SESSIOND_APPS, Object.keys(apps.policies));
  return {
    port,
    host,
    publicUrl: publicUrl(env.SESSIOND_PUBLIC_URL),
    basePath: basePath(env.SESSIOND_PUBLIC_URL),
    store,
    trustProxy: trustProxy(env.SESSIOND_TRUST_PROXY),
    signup: oneOf(env, 'SESSIOND_SIGNUP', ['open', 'closed'] as const, 'open'),
    adminToken,
    logLevel: oneOf(env, 'SESSIOND_LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    dataDir: env.SESSIOND_DATA_DIR || './data',
    configFile,
    maxPushChannels: integer(env, 'SESSIOND_MAX_PUSH_CHANNELS', 10_000, 1, 1_000_000),
    appOrigins: apps.origins,
    checkResponses: env.SESSIOND_CHECK_RESPONSES === '1',
    metrics: oneOf(env, 'SESSIOND_METRICS', ['open', 'protected'] as const, isLoopback(host) ? 'open' : 'protected'),
    keyEncryptionKey: env.SESSIOND_KEY_ENCRYPTION_KEY || null,
    production: env.NODE_ENV === 'production',
    sqliteSync: env.SESSIOND_SQLITE_SYNC?.toLowerCase() === 'full' ? 'full' : 'normal',
    oidc: apps.oidc,
    core,
    webhooks: {
      configured: configFile ? loadWebhooksSection(configFile) : [],
      retry: {
        ...DEFAULT_RETRY_POLICY,
        // Short values are for tests; the default keeps to Standard Webhooks' advice (seconds, then minutes, then hours).
        baseMs: duration(env, 'SESSIOND_WEBHOOK_RETRY_BASE', DEFAULT_RETRY_POLICY.baseMs, { min: 10 }),
        giveUpAfterMs: duration(env, 'SESSIOND_WEBHOOK_RETRY_FOR', DEFAULT_RETRY_POLICY.giveUpAfterMs, { min: 1000 }),
      },
      timeoutMs: duration(env, 'SESSIOND_WEBHOOK_TIMEOUT', 10_000, { min: 100 }),
    },
  };
}
