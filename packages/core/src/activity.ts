import { humanDuration, plural } from './duration.ts';
import type { AuditEvent, EndDetail, EndReason, EventType, Location } from './types.ts';

/** The events a person's own activity shows (SPEC §13); extends, refreshes and the like would crowd it. */
export const ACTIVITY_TYPES = [
  'session.started',
  'session.ended',
  'login.failed',
  'password.changed',
  'totp.enabled',
  'totp.disabled',
  'device.trusted',
  'device.removed',
  'devices.untrusted',
] as const satisfies readonly EventType[];

export type ActivityType = (typeof ACTIVITY_TYPES)[number];

/** How far back a person's activity reaches. */
export const ACTIVITY_WINDOW_MS = 90 * 86_400_000;

/** One line of "Recent activity", as the wire carries it (SPEC §13). */
export interface ActivityItem {
  id: string;
  type: ActivityType;
  at: string;
  sessionId: string | null;
  app: string | null;
  /** "Chrome on macOS", when the event names a device. */
  device: string | null;
  /** Approximate, from the address the event came from. */
  location: Location | null;
  reason?: EndReason;
  /** Sign-ins: the first sign-in to this account from this browser. */
  newDevice?: boolean;
  /** Failed sign-ins: how many in a row this line stands for. */
  count?: number;
  message: string;
}

/** The built-in apps as people call them; other registered apps by their id. */
const APP_LABELS: Record<string, string> = { web: 'Web', desktop: 'Desktop app', api: 'API', mobile: 'Mobile app' };

export interface ActivityContext {
  locate: (ip: string) => Location | null;
  /** Used when an ending's detail does not carry its timeout. */
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
}

/**
 * Why a session ended, as a clause after "Signed out from Chrome on Windows — ". One sentence per
 * reason here: the ending's own message (ENDINGS) speaks to the device that ended; this one speaks
 * to the person reading their history, about a device they may not be holding.
 */
function endingClause(reason: EndReason, d: EndDetail, ctx: ActivityContext): string {
  const by = d.byDevice;
  switch (reason) {
    case 'logged_out':
      return 'you signed out there';
    case 'revoked':
      return by ? `you logged it out from ${by}` : 'you logged it out from another of your sessions';
    case 'revoked_all':
      return by ? `you logged out of all sessions from ${by}` : 'you logged out of all sessions';
    case 'idle_timeout':
      return `no activity for ${humanDuration(d.timeoutMs ?? ctx.idleTimeoutMs)}`;
    case 'absolute_timeout':
      return `it reached the most a session may last (${humanDuration(d.timeoutMs ?? ctx.absoluteTimeoutMs)})`;
    case 'revoked_by_admin':
      return 'an administrator ended it';
    case 'password_changed':
      return 'your password was changed';
    case 'concurrent_limit': {
      const limit = d.accountLimit !== undefined ? `an account may have at most ${plural(d.accountLimit, 'session')}` : `this app allows at most ${plural(d.limit ?? 1, 'session')}`;
      return `${by ? `you signed in on ${by}` : 'you signed in on another device'} and ${limit}`;
    }
    case 'ip_changed':
      return 'its network changed, and this app requires the same one';
    case 'device_changed':
      return 'its browser changed, and this app requires the same one';
    case 'sso_logout':
      return `your organisation's sign-in (${d.provider ?? 'identity provider'}) signed you out`;
    case 'sso_ended':
      return `your organisation's sign-in (${d.provider ?? 'identity provider'}) ended it`;
    case 'refresh_token_reused':
      return 'an old credential was used again, so it was signed out to protect your account';
    case 'global_logout':
      return 'all sessions were ended for security maintenance';
  }
}

const UNTRUST_CAUSES: Record<string, string> = {
  password_changed: 'your password was changed',
  totp_enabled: 'two-step sign-in was turned on',
  account_disabled: 'the account was disabled',
};

const regions = new Intl.DisplayNames(['en'], { type: 'region' });

function countryName(code: string | null): string | null {
  try {
    return code ? (regions.of(code) ?? code) : null;
  } catch {
    return code; // Not an ISO 3166 code: as given.
  }
}

/** "London, United Kingdom": the approximate place a message names. */
function placeOf(l: Location | null): string | null {
  const parts = l ? [l.city ?? l.region, countryName(l.country)].filter((p): p is string => !!p) : [];
  return parts.length ? parts.join(', ') : null;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

/** One event as a line of the person's history; null for what the view does not show. */
function itemOf(e: AuditEvent, ctx: ActivityContext): ActivityItem | null {
  if (!(ACTIVITY_TYPES as readonly string[]).includes(e.type)) return null;
  const app = str(e.data.app);
  const device = str(e.data.device);
  const base = {
    id: e.id,
    type: e.type as ActivityType,
    at: new Date(e.at).toISOString(),
    sessionId: e.sessionId,
    app,
    device,
    location: e.ip ? ctx.locate(e.ip) : null,
  };
  const where = device ?? 'a device';
  const appName = app ? ` (${APP_LABELS[app] ?? app})` : '';
  switch (base.type) {
    case 'session.started': {
      const newDevice = e.data.newDevice === true;
      return { ...base, newDevice, message: newDevice ? `Signed in on a new device: ${where}${appName}` : `Signed in on ${where}${appName}` };
    }
    case 'session.ended': {
      const reason = e.reason ?? 'logged_out';
      const detail = (e.data.detail as EndDetail | undefined) ?? {};
      return { ...base, reason, message: `Signed out from ${where}${appName} — ${endingClause(reason, detail, ctx)}` };
    }
    case 'login.failed': {
      const step = str(e.data.step);
      const what = step === 'reauth' || step === 'password_change' ? 'password confirmation' : 'sign-in attempt';
      return { ...base, sessionId: null, count: 1, message: what };
    }
    case 'password.changed':
      return { ...base, message: device ? `Password changed on ${device}` : 'Password changed' };
    case 'totp.enabled':
      return { ...base, message: 'Two-step sign-in turned on' };
    case 'totp.disabled':
      return { ...base, message: 'Two-step sign-in turned off' };
    case 'device.trusted':
      return { ...base, message: `${where} is now a trusted device (Keep me signed in)` };
    case 'device.removed':
      return { ...base, message: e.data.cause === 'device_limit' ? 'A trusted device was removed to make room for a newer one' : 'A trusted device was removed' };
    case 'devices.untrusted': {
      const cause = UNTRUST_CAUSES[str(e.data.cause) ?? ''];
      return { ...base, message: cause ? `Your trusted devices were forgotten because ${cause}` : 'Your trusted devices were forgotten' };
    }
  }
}

/** "3 failed sign-in attempts near Lyon, FR (Firefox on Windows)"; `message` held the noun until now. */
function failedMessage(item: ActivityItem): string {
  const place = placeOf(item.location);
  const n = item.count ?? 1;
  return `${n} failed ${item.message}${n === 1 ? '' : 's'}${place ? ` near ${place}` : ' from an unknown place'}${item.device ? ` (${item.device})` : ''}`;
}

/**
 * A page of events (newest first) as the person's history. Failed sign-ins in a row from one
 * approximate place become one line with their count: the person needs "5 failed attempts near
 * Lyon", not five lines, and never what was typed.
 */
export function activityItems(events: AuditEvent[], ctx: ActivityContext): ActivityItem[] {
  const out: ActivityItem[] = [];
  for (const e of events) {
    const item = itemOf(e, ctx);
    if (!item) continue;
    const prev = out.at(-1);
    if (item.type === 'login.failed' && prev?.type === 'login.failed' && prev.message === item.message && placeOf(prev.location) === placeOf(item.location) && prev.device === item.device) {
      prev.count = (prev.count ?? 1) + 1;
      // The line stands for its oldest event too: `before` its id pages on past all of them.
      prev.id = item.id;
      continue;
    }
    out.push(item);
  }
  for (const item of out) if (item.type === 'login.failed') item.message = failedMessage(item);
  return out;
}
