import { createHmac } from 'node:crypto';
import { constantTimeEqual, randomId } from '@sessiond/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { subkey } from '../token-mode/secrets.ts';
import { readCookie, serializeCookie } from './cookies.ts';

/** About 400 days, the most a browser keeps a cookie (RFC 6265bis). */
const BROWSER_COOKIE_MAX_AGE = 400 * 86_400;
const ID = /^[A-Za-z0-9_-]{16,64}$/;

/**
 * sessiond's browser cookie (SPEC §13): `<browserId>.<last session id or ->.<mac>`. Not a credential:
 * it groups one browser's sessions into one row of Active sessions, and names the session this
 * browser last signed in with, so a new sign-in of the same person may carry that session's data
 * on after a timeout (core checks the person, the browser and the reason; the id alone opens nothing).
 * Signed, because the ids are public (SessionView shows browserId): a choice token bound to a
 * browser, "not a new device" and a carried-over cart must not follow a copied id into another browser.
 */
export interface BrowserCookie {
  browserId: string;
  lastSessionId: string | null;
}

const macKeys = new WeakMap<AppContext, Buffer>();

function mac(app: AppContext, body: string): string {
  let key = macKeys.get(app);
  if (!key) macKeys.set(app, (key = subkey(app.keyEncryptionKey, 'browser cookie')));
  return createHmac('sha256', key).update(body).digest('base64url').slice(0, 22);
}

export function readBrowserCookie(req: FastifyRequest, app: AppContext): BrowserCookie | null {
  const value = readCookie(req.headers.cookie, app.cookieNames.browser);
  const [browserId, lastSessionId, tag, extra] = (value ?? '').split('.');
  if (!browserId || !ID.test(browserId) || lastSessionId === undefined || !tag || extra !== undefined) return null;
  // Unsigned or altered: this browser is one sessiond has not seen.
  if (!constantTimeEqual(tag, mac(app, `${browserId}.${lastSessionId}`))) return null;
  return { browserId, lastSessionId: ID.test(lastSessionId) ? lastSessionId : null };
}

/** This browser's cookie, or a new one for a browser sessiond has not seen (set by `setBrowserCookie`). */
export function browserOf(req: FastifyRequest, app: AppContext): BrowserCookie {
  return readBrowserCookie(req, app) ?? { browserId: randomId(), lastSessionId: null };
}

export function setBrowserCookie(reply: FastifyReply, app: AppContext, browserId: string, sessionId: string | null): void {
  const body = `${browserId}.${sessionId ?? '-'}`;
  const value = `${body}.${mac(app, body)}`;
  reply.header('set-cookie', serializeCookie(app.cookieNames.browser, value, { secure: app.secureCookies, maxAge: BROWSER_COOKIE_MAX_AGE }));
}
