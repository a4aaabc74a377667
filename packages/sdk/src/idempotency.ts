/**
 * 128 random bits, base64url. `crypto.randomUUID` would do, but it exists only in secure contexts
 * and sessiond may be served over plain HTTP on a LAN; `getRandomValues` works everywhere.
 */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
