/** How long sessions of one app live and what ends them; the environment sets the defaults. */
export interface SessionPolicy {
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
  rememberMeIdleTimeoutMs: number;
  rememberMeTimeoutMs: number;
  warningBeforeMs: number;
  /** Active sessions per user and app; 0 = no limit. */
  maxSessions: number;
  /** `choose`: refused like `reject`, and the person may pick one to sign out (sign-in-choice.ts). */
  onMaxSessions: 'evict_oldest' | 'reject' | 'choose';
  bindIp: 'off' | 'subnet' | 'strict';
  bindDevice: 'off' | 'strict';
  /** How recent a full authentication must be for sensitive operations (step-up). */
  freshnessMs: number;
}

export interface CoreConfig {
  policy: SessionPolicy;
  /** Registered apps (SPEC §9): a session is only ever started for one of these. */
  apps: readonly string[];
  /** Overrides per `app` (from a config file). */
  appPolicies: Record<string, Partial<SessionPolicy>>;
  tombstoneTtlMs: number;
  accessTokenTtlMs: number;
  refreshGraceMs: number;
  /** How long trusted devices ("Keep me signed in") are remembered. */
  trustedDeviceTtlMs: number;
  /**
   * Ceilings per account that hold even when no limit is configured, so that one account cannot
   * fill the store: the oldest active session (across apps) and the least recently used trusted
   * device give way to a new one.
   */
  maxSessionsPerUser: number;
  maxTrustedDevicesPerUser: number;
  /** Cache of validated sessions: entries re-read from the store at least this often. */
  cacheTtlMs: number;
  cacheSize: number;
}

export function policyFor(config: CoreConfig, app: string): SessionPolicy {
  const override = config.appPolicies[app];
  return override ? { ...config.policy, ...override } : config.policy;
}

/** Idle sliding is written at most once per max(1 % of the idle timeout, 1 s): exact to that bound. */
export function touchInterval(idleTimeoutMs: number): number {
  return Math.max(Math.floor(idleTimeoutMs / 100), 1000);
}

export const DEFAULT_POLICY: SessionPolicy = {
  idleTimeoutMs: 30 * 60_000,
  absoluteTimeoutMs: 12 * 3_600_000,
  rememberMeIdleTimeoutMs: 7 * 86_400_000,
  rememberMeTimeoutMs: 30 * 86_400_000,
  warningBeforeMs: 2 * 60_000,
  maxSessions: 0,
  onMaxSessions: 'evict_oldest',
  bindIp: 'off',
  bindDevice: 'off',
  freshnessMs: 10 * 60_000,
};

export const DEFAULT_CORE_CONFIG: CoreConfig = {
  policy: DEFAULT_POLICY,
  apps: ['web', 'desktop', 'api'],
  appPolicies: {},
  tombstoneTtlMs: 7 * 86_400_000,
  accessTokenTtlMs: 5 * 60_000,
  refreshGraceMs: 30_000,
  trustedDeviceTtlMs: 30 * 86_400_000,
  // Far above what a person uses (a handful of browsers and apps each), far below what fills a store.
  maxSessionsPerUser: 100,
  maxTrustedDevicesPerUser: 50,
  cacheTtlMs: 1000,
  cacheSize: 100_000,
};
