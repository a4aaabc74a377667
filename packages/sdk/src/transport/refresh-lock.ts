/**
 * Runs `task` while holding a lock shared by every tab of this origin, so only one tab rotates
 * the refresh token at a time (a second rotation would present an already-used token).
 *
 * `navigator.locks` exists only in secure contexts, so a deployment on plain HTTP at a LAN address
 * has none. The fallback serialises within the tab only; races between tabs are then absorbed by
 * the server's refresh grace window (SPEC §4: the previous refresh token still answers with the
 * same successor for SESSIOND_REFRESH_GRACE), so they cost a request, never a sign-out.
 */
export function createRefreshLock(name: string): <T>(task: () => Promise<T>) => Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (locks && typeof locks.request === 'function') {
    // The lock's promise settles with the task's awaited result; lib.dom types it one level too deep.
    return <T,>(task: () => Promise<T>) => locks.request(name, { mode: 'exclusive' }, task) as unknown as Promise<T>;
  }
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>) => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
}
