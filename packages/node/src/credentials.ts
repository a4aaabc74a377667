/** The cookie names sessiond itself sets: `__Host-sessiond` on https, `sessiond` on http (SPEC §4). */
export const SESSIOND_COOKIE_NAMES = ['__Host-sessiond', 'sessiond'] as const;

/**
 * The person's credential on an incoming request: `Authorization: Bearer …` first (an SPA or app
 * sending the opaque token or an access JWT), then the cookie. Never a URL parameter.
 */
export function credentialOf(headers: { authorization?: string | null; cookie?: string | null }, cookieNames: readonly string[]): string | null {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '')?.[1];
  if (bearer) return bearer;
  const cookie = headers.cookie;
  if (!cookie) return null;
  for (const name of cookieNames) {
    const prefix = name + '=';
    for (const part of cookie.split(';')) {
      const p = part.trim();
      if (p.startsWith(prefix) && p.length > prefix.length) return p.slice(prefix.length);
    }
  }
  return null;
}

export interface CookieSettings {
  name: string;
  secure: boolean;
}

/** The app's own Set-Cookie for the session token (as sessiond's: HttpOnly, Lax, Path=/). */
export function sessionCookie(c: CookieSettings, token: string, maxAgeSeconds?: number): string {
  let s = `${c.name}=${token}; Path=/; HttpOnly; SameSite=Lax`;
  if (c.secure || c.name.startsWith('__Host-')) s += '; Secure';
  if (maxAgeSeconds !== undefined) s += `; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`;
  return s;
}

/** Removes exactly the session cookie: never `Clear-Site-Data`, which would wipe the app's other cookies too. */
export function clearedSessionCookie(c: CookieSettings): string {
  return sessionCookie(c, '', 0);
}
