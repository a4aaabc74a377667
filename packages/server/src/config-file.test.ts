import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { policyFor } from '@sessiond/core';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

const dir = mkdtempSync(join(tmpdir(), 'sessiond-config-'));
const file = (name: string, body: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, typeof body === 'string' ? body : JSON.stringify(body));
  return p;
};

describe('per-app policies (SESSIOND_CONFIG)', () => {
  it('applies presets and overrides per app over the environment defaults', () => {
    const path = file('ok.json', { apps: { banking: { preset: 'pci-dss', maxSessions: 1, onMaxSessions: 'reject', bindIp: 'subnet' }, social: { preset: 'consumer' }, web: { idleTimeout: '1h' } } });
    const c = loadConfig({ SESSIOND_CONFIG: path, SESSIOND_ABSOLUTE_TIMEOUT: '8h' });
    expect(policyFor(c.core, 'banking')).toMatchObject({ idleTimeoutMs: 15 * 60_000, absoluteTimeoutMs: 8 * 3_600_000, maxSessions: 1, onMaxSessions: 'reject', bindIp: 'subnet' });
    expect(policyFor(c.core, 'social')).toMatchObject({ idleTimeoutMs: 7 * 86_400_000, absoluteTimeoutMs: 30 * 86_400_000 });
    expect(policyFor(c.core, 'web').idleTimeoutMs).toBe(3_600_000);
    expect(policyFor(c.core, 'other').idleTimeoutMs).toBe(30 * 60_000);
  });

  it('presets follow their standards, "Keep me signed in" sessions included', () => {
    const path = file('presets.json', { apps: { a2: { preset: 'nist-aal2' }, a3: { preset: 'nist-aal3' }, pci: { preset: 'pci-dss' }, c: { preset: 'consumer' } } });
    const c = loadConfig({ SESSIOND_CONFIG: path });
    const min = 60_000;
    const h = 60 * min;
    expect(policyFor(c.core, 'a2')).toMatchObject({ idleTimeoutMs: 30 * min, absoluteTimeoutMs: 12 * h, rememberMeIdleTimeoutMs: 30 * min, rememberMeTimeoutMs: 12 * h });
    expect(policyFor(c.core, 'a3')).toMatchObject({ idleTimeoutMs: 15 * min, absoluteTimeoutMs: 12 * h, rememberMeIdleTimeoutMs: 15 * min, rememberMeTimeoutMs: 12 * h });
    expect(policyFor(c.core, 'pci')).toMatchObject({ idleTimeoutMs: 15 * min, rememberMeIdleTimeoutMs: 15 * min });
    expect(policyFor(c.core, 'c')).toMatchObject({ idleTimeoutMs: 7 * 24 * h, absoluteTimeoutMs: 30 * 24 * h });
  });

  it('registers every app it names, beside SESSIOND_APPS', () => {
    const path = file('register.json', { apps: { banking: {}, 'point-of-sale': { preset: 'pci-dss' } } });
    expect(loadConfig({ SESSIOND_CONFIG: path }).core.apps).toEqual(['web', 'desktop', 'api', 'banking', 'point-of-sale']);
    expect(loadConfig({ SESSIOND_CONFIG: path, SESSIOND_APPS: 'api' }).core.apps).toEqual(['web', 'api', 'banking', 'point-of-sale']);
  });

  it('reads exact browser origins per app', () => {
    const path = file('origins.json', { apps: { banking: { origins: ['https://bank.example.com', 'http://localhost:5173'] } } });
    expect(loadConfig({ SESSIOND_CONFIG: path }).appOrigins).toEqual({ banking: ['https://bank.example.com', 'http://localhost:5173'] });
  });

  it.each([
    ['not json', '{', /not valid JSON/],
    ['no apps', { nope: 1 }, /"apps" object/],
    ['unknown preset', { apps: { a: { preset: 'fort-knox' } } }, /apps\.a\.preset "fort-knox" must be one of nist-aal2/],
    ['bad duration', { apps: { a: { idleTimeout: 'soon' } } }, /apps\.a\.idleTimeout "soon"/],
    ['unknown key', { apps: { a: { idle: '5m' } } }, /apps\.a\.idle is not a known setting/],
    ['bad choice', { apps: { a: { bindIp: 'yes' } } }, /apps\.a\.bindIp "yes" must be one of off, subnet, strict/],
    ['a misspelt section', { apps: {}, app: { web: { idleTimeout: '5m' } } }, /"app" is not a known section/],
    ['an inherited name as preset', { apps: { a: { preset: 'constructor' } } }, /apps\.a\.preset "constructor" must be one of/],
    ['an inherited name as key', { apps: { a: { toString: '5m' } } }, /apps\.a\.toString is not a known setting/],
    ['too many sessions', { apps: { a: { maxSessions: 1e9 } } }, /apps\.a\.maxSessions must be a whole number from 0 to 10000/],
    ['an upper-case app name', { apps: { Banking: {} } }, /app name "Banking" must match/],
    ['an inherited name as app', '{"apps":{"__proto__":{"preset":"consumer"}}}', /app name "__proto__" must match/],
    ['a wildcard origin', { apps: { a: { origins: ['https://*.example.com'] } } }, /apps\.a\.origins "https:\/\/\*\.example\.com" must be an origin/],
    ['an origin with a path', { apps: { a: { origins: ['https://app.example.com/'] } } }, /apps\.a\.origins "https:\/\/app\.example\.com\/" must be an origin/],
    ['origins not a list', { apps: { a: { origins: 'https://app.example.com' } } }, /apps\.a\.origins must be a list/],
  ])('refuses %s, naming file, app and key', (name, body, message) => {
    const path = file(`${name.replace(/\W/g, '-')}.json`, body);
    expect(() => loadConfig({ SESSIOND_CONFIG: path })).toThrow(/^SESSIOND_CONFIG: /);
    expect(() => loadConfig({ SESSIOND_CONFIG: path })).toThrow(message);
  });
});

describe('identity providers (SESSIOND_CONFIG oidc, SPEC §15)', () => {
  const acme = { issuer: 'https://idp.example.com/realms/acme', clientId: 'sessiond', clientSecret: 's3cret' };

  it('reads providers with their defaults; an oidc-only file is enough', () => {
    const path = file('oidc-ok.json', { oidc: { providers: { acme, google: { issuer: 'https://accounts.google.com', clientId: 'c', clientSecret: 's', label: 'Google', scopes: ['email'], linkByEmail: true, tokenEndpointAuthMethod: 'client_secret_post' } } } });
    const c = loadConfig({ SESSIOND_CONFIG: path });
    expect(c.oidc).toEqual([
      { name: 'acme', ...acme, scopes: ['openid', 'email', 'profile'], label: 'acme', linkByEmail: false, endSessionAtProvider: false, keepUpstreamFresh: false, tokenEndpointAuthMethod: 'client_secret_basic' },
      { name: 'google', issuer: 'https://accounts.google.com', clientId: 'c', clientSecret: 's', scopes: ['openid', 'email'], label: 'Google', linkByEmail: true, endSessionAtProvider: false, keepUpstreamFresh: false, tokenEndpointAuthMethod: 'client_secret_post' },
    ]);
    expect(c.core.apps).toEqual(['web', 'desktop', 'api']);
  });

  it('accepts http issuers on loopback only (tests, development)', () => {
    expect(loadConfig({ SESSIOND_CONFIG: file('oidc-loop.json', { oidc: { providers: { dev: { ...acme, issuer: 'http://127.0.0.1:9000' } } } }) }).oidc[0]!.issuer).toBe('http://127.0.0.1:9000');
  });

  it.each([
    ['no providers', { oidc: {} }, /oidc\.providers must be an object/],
    ['an unknown oidc key', { oidc: { providers: {}, debug: true } }, /oidc\.debug is not a known setting/],
    ['a bad provider name', { oidc: { providers: { 'Acme SSO': acme } } }, /provider name "Acme SSO" must match/],
    ['a missing clientSecret', { oidc: { providers: { acme: { ...acme, clientSecret: undefined } } } }, /oidc\.providers\.acme\.clientSecret is required/],
    ['an http issuer elsewhere', { oidc: { providers: { acme: { ...acme, issuer: 'http://idp.example.com' } } } }, /oidc\.providers\.acme\.issuer "http:\/\/idp\.example\.com" must be an https URL/],
    ['an unknown key', { oidc: { providers: { acme: { ...acme, clientSecrets: 'x' } } } }, /oidc\.providers\.acme\.clientSecrets is not a known setting/],
    ['a non-boolean flag', { oidc: { providers: { acme: { ...acme, linkByEmail: 'yes' } } } }, /oidc\.providers\.acme\.linkByEmail must be true or false/],
    ['bad scopes', { oidc: { providers: { acme: { ...acme, scopes: 'openid email' } } } }, /oidc\.providers\.acme\.scopes must be a list/],
    ['one issuer twice', { oidc: { providers: { a: acme, b: acme } } }, /oidc\.providers\.b\.issuer .* already configured/],
    ['a bad auth method', { oidc: { providers: { acme: { ...acme, tokenEndpointAuthMethod: 'none' } } } }, /tokenEndpointAuthMethod must be client_secret_basic or client_secret_post/],
  ])('refuses %s, naming file, provider and key', (name, body, message) => {
    const path = file(`oidc-${name.replace(/\W/g, '-')}.json`, body);
    expect(() => loadConfig({ SESSIOND_CONFIG: path })).toThrow(/^SESSIOND_CONFIG: /);
    expect(() => loadConfig({ SESSIOND_CONFIG: path })).toThrow(message);
  });
});
