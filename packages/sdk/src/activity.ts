/** What counts as a person being there: pointer, keys, wheel, touch. Never timers or fetches. */
export const ACTIVITY_EVENTS = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;

/** Elements under this attribute decide for themselves (the warning dialog's own buttons do). */
export const NO_ACTIVITY_ATTRIBUTE = 'data-sessiond-no-activity';

/**
 * Calls `onActivity` for each real interaction with the page. `isTrusted` drops events that
 * scripts dispatch, so an ad or a widget simulating clicks cannot keep a session alive.
 */
export function watchActivity(target: EventTarget, onActivity: (at: number) => void): () => void {
  const listener = (e: Event) => {
    if (!e.isTrusted) return;
    const el = e.target;
    if (typeof Element !== 'undefined' && el instanceof Element && el.closest(`[${NO_ACTIVITY_ATTRIBUTE}]`)) return;
    onActivity(Date.now());
  };
  const options: AddEventListenerOptions = { capture: true, passive: true };
  for (const type of ACTIVITY_EVENTS) target.addEventListener(type, listener, options);
  return () => {
    for (const type of ACTIVITY_EVENTS) target.removeEventListener(type, listener, options);
  };
}

export interface ExtendTiming {
  now: number;
  /** When this browser (any tab) last told the server about activity. */
  lastSentAt: number;
  intervalMs: number;
  /** While the warning shows, activity must reach the server at once. */
  warning: boolean;
}

/** 0 = send the activity now; otherwise how long to wait before sending it (trailing edge). */
export function extendDelay(t: ExtendTiming): number {
  // "Sent" in the future: the device clock was set back since. Send now rather than wait out the jump.
  if (t.warning || t.lastSentAt > t.now) return 0;
  const due = t.lastSentAt + t.intervalMs;
  return due <= t.now ? 0 : due - t.now;
}

/**
 * How often activity is sent: at most once per `preferredMs` (30 s by default), but often enough
 * that activity always lands before the warning would show. With a 20 s idle timeout and a 15 s
 * warning the warning is due 5 s after the last activity, so activity goes out every 2.5 s.
 */
export function extendIntervalMs(idleWindowMs: number, warningBeforeMs: number, preferredMs: number): number {
  return Math.max(1_000, Math.min(preferredMs, (idleWindowMs - warningBeforeMs) / 2));
}
