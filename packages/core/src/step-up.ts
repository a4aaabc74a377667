import { SessiondError } from './errors.ts';
import type { SessionRecord } from './types.ts';

/**
 * Step-up: sensitive changes need a full authentication within the policy's freshness window,
 * so a session left open on someone else's screen cannot take over the account's factors.
 * Throws reauth_required, with when the person last authenticated and the window.
 */
export function requireFresh(current: Pick<SessionRecord, 'appKeyId' | 'authenticatedAt' | 'createdAt'>, freshnessMs: number, now: number): void {
  // An app key's session proves only that its backend vouched for the person: until they give
  // their password here (re-authentication), it is never fresh. Loose on purpose: a record from
  // before the field existed lacks it.
  const vouchedOnly = current.appKeyId != null && current.authenticatedAt <= current.createdAt;
  if (vouchedOnly || now - current.authenticatedAt > freshnessMs) {
    throw new SessiondError('reauth_required', { details: { authenticatedAt: new Date(current.authenticatedAt).toISOString(), freshnessMs } });
  }
}
