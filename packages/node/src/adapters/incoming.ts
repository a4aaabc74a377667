import type { IncomingCredentials } from '../guard.ts';

const one = (v: string | string[] | undefined | null) => (Array.isArray(v) ? v[0] : v) ?? null;

/** The guard's view of a request, from a header getter and the address the framework saw. */
export function incomingOf(header: (name: string) => string | string[] | undefined | null, ip: string | undefined | null): IncomingCredentials {
  return {
    authorization: one(header('authorization')),
    cookie: one(header('cookie')),
    ip: ip ?? null,
    userAgent: one(header('user-agent')),
    passive: one(header('x-sessiond-passive')) === '1',
  };
}
