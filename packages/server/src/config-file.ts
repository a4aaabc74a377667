import { readFileSync } from 'node:fs';
import { parseDuration, type SessionPolicy } from '@sessiond/core';
import { ConfigError } from './config.ts';

/**
 * Named policies after the standards they follow. Each sets only what that standard fixes;
 * everything else comes from the environment's defaults.
 */
const PRESETS: Record<string, Partial<SessionPolicy>> = {
  // NIST SP 800-63B (rev. 3) AAL2: re-authenticate after 30 min idle and at least every 12 h,
  // "regardless of user activity": "Keep me signed in" sessions get the same bounds.
  'nist-aal2': { idleTimeoutMs: 30 * 60_000, absoluteTimeoutMs: 12 * 3_600_000, rememberMeIdleTimeoutMs: 30 * 60_000, rememberMeTimeoutMs: 12 * 3_600_000 },
  // NIST SP 800-63B AAL3: 15 min idle, 12 h overall.
  'nist-aal3': { idleTimeoutMs: 15 * 60_000, absoluteTimeoutMs: 12 * 3_600_000, rememberMeIdleTimeoutMs: 15 * 60_000, rememberMeTimeoutMs: 12 * 3_600_000 },
  // PCI DSS v4.0 8.2.8: idle for more than 15 minutes requires re-authentication.
  'pci-dss': { idleTimeoutMs: 15 * 60_000, rememberMeIdleTimeoutMs: 15 * 60_000 },
  // Consumer apps: long-lived, "keep me signed in" for a month.
  consumer: { idleTimeoutMs: 7 * 86_400_000, absoluteTimeoutMs: 30 * 86_400_000, rememberMeIdleTimeoutMs: 30 * 86_400_000, rememberMeTimeoutMs: 90 * 86_400_000 },
};

const DURATIONS: Record<string, keyof SessionPolicy> = {
  idleTimeout: 'idleTimeoutMs',
  absoluteTimeout: 'absoluteTimeoutMs',
  rememberMeIdleTimeout: 'rememberMeIdleTimeoutMs',
  rememberMeTimeout: 'rememberMeTimeoutMs',
  warningBefore: 'warningBeforeMs',
  freshness: 'freshnessMs',
};
const CHOICES: Record<string, [keyof SessionPolicy, readonly string[]]> = {
  onMaxSessions: ['onMaxSessions', ['evict_oldest', 'reject', 'choose']],
  bindIp: ['bindIp', ['off', 'subnet', 'strict']],
  bindDevice: ['bindDevice', ['off', 'strict']],
};

/** Registered app names (SPEC §9): lower case, so "Banking" can never pass for "banking". */
/** `any` is reserved: @sessiond/verifier's `audience: 'any'` means every app. */
export const APP_NAME = /^(?!any$)[a-z][a-z0-9-]{0,31}$/;

export interface AppsSection {
  policies: Record<string, Partial<SessionPolicy>>;
  /** Browser origins per app whose pages may call the API with the cookie (CORS, CSRF). */
  origins: Record<string, string[]>;
  /** Identity providers people may sign in through (SPEC §15), in the file's order. */
  oidc: OidcProviderConfig[];
}

/** One `oidc.providers.<name>` entry (SPEC §15). */
export interface OidcProviderConfig {
  name: string;
  /** The issuer identifier; discovery reads `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Always includes `openid`. */
  scopes: string[];
  /** "Sign in with <label>"; defaults to the name. */
  label: string;
  /** Sign in to an existing account whose email the provider says it verified. Off by default. */
  linkByEmail: boolean;
  /** Signing out of the session also signs out at the provider (RP-initiated logout). */
  endSessionAtProvider: boolean;
  /** Refresh the provider's tokens while the session is active; a refused refresh ends it (sso_ended). */
  keepUpstreamFresh: boolean;
  /** How the client authenticates at the token endpoint. */
  tokenEndpointAuthMethod: 'client_secret_basic' | 'client_secret_post';
}

/** Provider names are path segments of the redirect URI the operator registers: keep them plain. */
const PROVIDER_NAME = /^[a-z][a-z0-9-]{0,31}$/;
const PROVIDER_KEYS = new Set(['issuer', 'clientId', 'clientSecret', 'scopes', 'label', 'linkByEmail', 'endSessionAtProvider', 'keepUpstreamFresh', 'tokenEndpointAuthMethod']);

/** `http:` only on this machine (tests, development): anywhere else the discovery could be tampered with. */
function isLoopbackUrl(u: URL): boolean {
  return u.hostname === 'localhost' || u.hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(u.hostname);
}

function oidcSection(raw: unknown, fail: (problem: string) => never): OidcProviderConfig[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('oidc must be an object with a "providers" object');
  for (const key of Object.keys(raw as object)) if (key !== 'providers') fail(`oidc.${key} is not a known setting; providers go under oidc.providers`);
  const providers = (raw as { providers?: unknown }).providers;
  if (typeof providers !== 'object' || providers === null || Array.isArray(providers)) fail('oidc.providers must be an object: { "<name>": { "issuer", "clientId", "clientSecret" } }');
  const out: OidcProviderConfig[] = [];
  const issuers = new Set<string>();
  for (const [name, value] of Object.entries(providers as Record<string, unknown>)) {
    const at = `oidc.providers.${name}`;
    if (!PROVIDER_NAME.test(name)) fail(`provider name "${name}" must match ${PROVIDER_NAME.source} (it is part of the redirect URI)`);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${at} must be an object`);
    const e = value as Record<string, unknown>;
    for (const key of Object.keys(e)) if (!PROVIDER_KEYS.has(key)) fail(`${at}.${key} is not a known setting`);
    const text = (key: string): string => {
      const v = e[key];
      if (typeof v !== 'string' || v.trim() === '' || v.length > 2048) fail(`${at}.${key} is required (a non-empty string)`);
      return v;
    };
    const flag = (key: string): boolean => {
      if (e[key] !== undefined && typeof e[key] !== 'boolean') fail(`${at}.${key} must be true or false`);
      return e[key] === true;
    };
    const issuer = text('issuer');
    let url: URL | null = null;
    try {
      url = new URL(issuer);
    } catch {
      url = null;
    }
    if (!url || !(url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackUrl(url))) || url.search || url.hash) {
      fail(`${at}.issuer "${issuer}" must be an https URL without query or fragment (http only on loopback)`);
    }
    // One issuer, one provider: a logout token names its issuer, and must find one set of keys.
    if (issuers.has(issuer)) fail(`${at}.issuer "${issuer}" is already configured under another name`);
    issuers.add(issuer);
    let scopes = ['openid', 'email', 'profile'];
    if (e.scopes !== undefined) {
      if (!Array.isArray(e.scopes) || !e.scopes.every((s) => typeof s === 'string' && /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s))) fail(`${at}.scopes must be a list of scope names such as ["openid", "email"]`);
      scopes = [...new Set(['openid', ...(e.scopes as string[])])];
    }
    const label = e.label === undefined ? name : text('label');
    const method = e.tokenEndpointAuthMethod ?? 'client_secret_basic';
    if (method !== 'client_secret_basic' && method !== 'client_secret_post') fail(`${at}.tokenEndpointAuthMethod must be client_secret_basic or client_secret_post`);
    out.push({
      name,
      issuer,
      clientId: text('clientId'),
      clientSecret: text('clientSecret'),
      scopes,
      label,
      linkByEmail: flag('linkByEmail'),
      endSessionAtProvider: flag('endSessionAtProvider'),
      keepUpstreamFresh: flag('keepUpstreamFresh'),
      tokenEndpointAuthMethod: method,
    });
  }
  return out;
}

/**
 * The `apps` section of SESSIOND_CONFIG (JSON); each app named there is registered:
 *   { "apps": { "banking": { "preset": "pci-dss", "maxSessions": 1, "origins": ["https://bank.example.com"] }, "web": { "idleTimeout": "1h" } } }
 * Keys mirror the environment variables; a bad entry stops start-up naming file, app and key.
 */
export function loadAppsSection(path: string): AppsSection {
  const fail = (problem: string): never => {
    throw new ConfigError('SESSIOND_CONFIG', `${path}: ${problem}`);
  };
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    fail(e instanceof SyntaxError ? `not valid JSON (${e.message})` : 'cannot be read');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) fail('must be an object with an "apps", "webhooks" or "oidc" object');
  // A misspelt section would otherwise be ignored in silence, and its policy never applied.
  for (const key of Object.keys(doc as object)) if (!['apps', 'webhooks', 'oidc', '$schema'].includes(key)) fail(`"${key}" is not a known section; per-app policies go under the "apps" object, webhooks under "webhooks", identity providers under "oidc"`);
  // A file may hold only webhooks (webhooks/config-section.ts reads that section) or only identity providers.
  const { oidc } = doc as { oidc?: unknown };
  const apps = (doc as { apps?: unknown }).apps ?? ('webhooks' in (doc as object) || oidc !== undefined ? {} : undefined);
  if (typeof apps !== 'object' || apps === null || Array.isArray(apps)) fail('must be an object with an "apps", "webhooks" or "oidc" object');
  // No prototype: an app named "__proto__" or "constructor" is just a name here.
  const out: AppsSection = { policies: Object.create(null), origins: Object.create(null), oidc: oidc === undefined ? [] : oidcSection(oidc, fail) };
  for (const [app, raw] of Object.entries(apps as Record<string, unknown>)) {
    if (!APP_NAME.test(app)) fail(`app name "${app}" must match ${APP_NAME.source} (lower-case letters, digits and "-", 1-32 long)`);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(`apps.${app} must be an object`);
    const entry = raw as Record<string, unknown>;
    let policy: Partial<SessionPolicy> = {};
    if (entry.preset !== undefined) {
      const preset = typeof entry.preset === 'string' && Object.hasOwn(PRESETS, entry.preset) ? PRESETS[entry.preset] : undefined;
      if (!preset) fail(`apps.${app}.preset "${String(entry.preset)}" must be one of ${Object.keys(PRESETS).join(', ')}`);
      policy = { ...preset };
    }
    for (const [key, value] of Object.entries(entry)) {
      if (key === 'preset') continue;
      if (key === 'origins') {
        out.origins[app] = origins(value, (problem) => fail(`apps.${app}.origins ${problem}`));
        continue;
      }
      if (Object.hasOwn(DURATIONS, key)) {
        const ms = typeof value === 'string' ? parseDuration(value) : null;
        if (ms === null || ms < 1000) fail(`apps.${app}.${key} "${String(value)}" must be a duration of at least 1s, e.g. 15m`);
        (policy as Record<string, unknown>)[DURATIONS[key]!] = ms;
      } else if (Object.hasOwn(CHOICES, key)) {
        const [field, allowed] = CHOICES[key]!;
        if (!allowed.includes(String(value))) fail(`apps.${app}.${key} "${String(value)}" must be one of ${allowed.join(', ')}`);
        (policy as Record<string, unknown>)[field] = value;
      } else if (key === 'maxSessions') {
        if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 10_000) fail(`apps.${app}.maxSessions must be a whole number from 0 to 10000 (0 = no limit)`);
        policy.maxSessions = value as number;
      } else fail(`apps.${app}.${key} is not a known setting`);
    }
    out.policies[app] = policy;
  }
  return out;
}

/** Exact origins only: a wildcard would hand the cookie's power to every site that matches it. */
function origins(value: unknown, fail: (problem: string) => never): string[] {
  if (!Array.isArray(value)) fail('must be a list of origins such as ["https://app.example.com"]');
  return value.map((o) => {
    let url: URL | null = null;
    try {
      url = typeof o === 'string' && !o.includes('*') ? new URL(o) : null;
    } catch {
      url = null;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== o) fail(`"${String(o)}" must be an origin such as https://app.example.com (scheme, host and port only; no wildcards, no path)`);
    return url.origin;
  });
}
