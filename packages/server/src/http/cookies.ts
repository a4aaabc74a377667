/**
 * Just enough cookie handling for two cookies; values are base64url so nothing needs escaping.
 * Not @fastify/cookie: it parses every cookie of every request in an onRequest hook, a cost on the
 * hot path (GET /v1/session) for two names we read with one scan; the Set-Cookie lines are fixed.
 */

export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  // One scan with indexOf: no array of every cookie and no trimmed copy of each (a browser sends
  // all of the site's cookies, analytics ones included, on every GET /v1/session).
  for (let at = 0; at < header.length; ) {
    while (header.charCodeAt(at) === 32 || header.charCodeAt(at) === 9) at++;
    const semicolon = header.indexOf(';', at);
    const end = semicolon < 0 ? header.length : semicolon;
    if (header.startsWith(name, at) && header.charCodeAt(at + name.length) === 61 /* = */) {
      return header.slice(at + name.length + 1, end).trim() || null;
    }
    at = end + 1;
  }
  return null;
}

export interface CookieOptions {
  secure: boolean;
  /** Seconds; omitted for a browser-session cookie, 0 to clear. */
  maxAge?: number;
}

export function serializeCookie(name: string, value: string, opts: CookieOptions): string {
  let c = `${name}=${value}; Path=/; HttpOnly; SameSite=Lax`;
  if (opts.secure) c += '; Secure';
  if (opts.maxAge !== undefined) c += `; Max-Age=${Math.max(0, Math.floor(opts.maxAge))}`;
  return c;
}
