import { SessiondError, StoreUnavailableError } from '../errors.ts';

/**
 * "The backend is down", once for every store: a driver error that its store's `isOutage` calls
 * an outage (connection lost, locked, failing over) becomes StoreUnavailableError, answered 503
 * and retried; the domain's own errors and defects (a constraint, a bad script) pass unchanged.
 * Never anything that could be mistaken for an ended session.
 */
export function storeError(e: unknown, isOutage: (e: unknown) => boolean): unknown {
  if (e instanceof SessiondError) return e;
  return isOutage(e) ? new StoreUnavailableError(e) : e;
}

/** Runs a driver call (sync or async), turning outages into StoreUnavailableError. */
export function outageGuard(isOutage: (e: unknown) => boolean) {
  function guard<T>(fn: () => Promise<T>): Promise<T>;
  function guard<T>(fn: () => T): T;
  function guard<T>(fn: () => T | Promise<T>): T | Promise<T> {
    try {
      const r = fn();
      return r instanceof Promise ? r.catch((e: unknown) => Promise.reject(storeError(e, isOutage))) : r;
    } catch (e) {
      throw storeError(e, isOutage);
    }
  }
  return guard;
}
