import { VerifierError } from './errors.ts';
import type { VerifiedToken } from './verifier.ts';

/** A rule a route adds on top of a valid token; throws VerifierError (`reauth_required`) when unmet. */
export type TokenRequirement = (token: VerifiedToken, now?: number) => void;

/**
 * The person proved who they are within `ms` (the `auth_time` claim): for payouts, e-mail changes,
 * deleting data. Decided offline; a token without `auth_time` is never fresh.
 */
export function requireFreshness(ms: number): TokenRequirement {
  if (!(ms > 0)) throw new TypeError('requireFreshness(ms): ms must be a positive number of milliseconds');
  return (token, now = Date.now()) => {
    if (token.authTime === null || now - token.authTime > ms) {
      throw new VerifierError('reauth_required', `Please sign in again to continue: this needs a sign-in within the last ${describe(ms)}.`, undefined, { maxAgeMs: ms, authTime: token.authTime === null ? null : new Date(token.authTime).toISOString() });
    }
  };
}

/** The sign-in used this method (the `amr` claim), e.g. `requireAmr('otp')` for a two-step sign-in. */
export function requireAmr(method: string): TokenRequirement {
  return (token) => {
    if (!token.amr.includes(method)) {
      const what = method === 'otp' ? 'a two-step sign-in (a code from your authenticator app)' : `a sign-in with "${method}"`;
      throw new VerifierError('reauth_required', `Please sign in again with ${what} to continue.`, undefined, { amr: method });
    }
  };
}

/** Checks every requirement in order; the first unmet one throws. */
export function checkRequirements(token: VerifiedToken, requirements: readonly TokenRequirement[] = [], now = Date.now()): VerifiedToken {
  for (const r of requirements) r(token, now);
  return token;
}

function describe(ms: number): string {
  if (ms % 3_600_000 === 0) return plural(ms / 3_600_000, 'hour');
  if (ms % 60_000 === 0) return plural(ms / 60_000, 'minute');
  return plural(Math.ceil(ms / 1000), 'second');
}
const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
