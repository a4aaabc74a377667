/**
 * Just enough cookie handling for two cookies; values are base64url so nothing needs escaping.
 * Not @fastify/cookie: it parses every cookie of every request in an onRequest hook, a cost on the
 * hot path (GET /v1/session) for two names we read with one scan; the Set-Cookie lines are fixed.
 */

export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  const prefix = name + '=';
  for (const part of header.split(';')) {
    const p = part.trim();
    if (p.startsWith(prefix)) return p.slice(prefix.length) || null;
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
