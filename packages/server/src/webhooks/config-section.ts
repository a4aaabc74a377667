import { readFileSync } from 'node:fs';
import { WEBHOOK_EVENTS } from '@sessiond/contract/names';
import { webhookKey, type ConfiguredWebhook } from '@sessiond/core';
import { ConfigError } from '../config.ts';
import { APP_NAME } from '../config-file.ts';

/** An http(s) URL without credentials in it (they would end up in logs and delivery lists). */
export function webhookUrl(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.length > 2048) return null;
  try {
    const u = new URL(raw);
    return (u.protocol === 'http:' || u.protocol === 'https:') && !u.username && !u.password ? u.toString() : null;
  } catch {
    return null;
  }
}

/**
 * The `webhooks` section of SESSIOND_CONFIG:
 *   { "webhooks": [{ "url": "https://app.example.com/hooks", "events": ["session.started", "session.ended"], "secret": "whsec_…", "apps": ["web"] }] }
 * A bad entry stops start-up naming file, entry and key.
 */
export function loadWebhooksSection(path: string): ConfiguredWebhook[] {
  const fail = (problem: string): never => {
    throw new ConfigError('SESSIOND_CONFIG', `${path}: ${problem}`);
  };
  let doc: { webhooks?: unknown };
  try {
    doc = JSON.parse(readFileSync(path, 'utf8')) as { webhooks?: unknown };
  } catch {
    return fail('cannot be read as JSON');
  }
  if (doc.webhooks === undefined) return [];
  if (!Array.isArray(doc.webhooks)) fail('"webhooks" must be a list of { url, events, secret, apps? }');
  const seen = new Set<string>();
  return (doc.webhooks as unknown[]).map((raw, i) => {
    const at = `webhooks[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(`${at} must be an object`);
    const entry = raw as Record<string, unknown>;
    for (const key of Object.keys(entry)) if (!['url', 'events', 'secret', 'apps'].includes(key)) fail(`${at}.${key} is not a known setting`);
    const url = webhookUrl(entry.url);
    if (!url) fail(`${at}.url must be an http(s) URL without user name or password`);
    if (seen.has(url!)) fail(`${at}.url ${url} is listed twice`);
    seen.add(url!);
    const events = entry.events;
    if (!Array.isArray(events) || events.length === 0 || !events.every((e) => (WEBHOOK_EVENTS as readonly unknown[]).includes(e))) {
      fail(`${at}.events must be a non-empty list of ${WEBHOOK_EVENTS.join(', ')}`);
    }
    if (typeof entry.secret !== 'string' || !webhookKey(entry.secret)) fail(`${at}.secret must be whsec_ followed by base64 of 24 to 64 random bytes (e.g. "whsec_" + openssl rand -base64 32)`);
    let apps: string[] | null = null;
    if (entry.apps !== undefined) {
      if (!Array.isArray(entry.apps) || entry.apps.length === 0 || !entry.apps.every((a) => typeof a === 'string' && APP_NAME.test(a))) fail(`${at}.apps must be a non-empty list of app names`);
      apps = entry.apps as string[];
    }
    return { url: url!, events: [...new Set(events as string[])], apps, secret: entry.secret as string };
  });
}
