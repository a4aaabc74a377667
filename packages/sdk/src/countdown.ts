/** "1:45" for the visible countdown (hidden from screen readers, which get `announcement`). */
export function formatCountdown(msLeft: number): string {
  const total = Math.max(0, Math.ceil(msLeft / 1000));
  const m = Math.floor(total / 60);
  const s = total % 60;
  return `${m}:${String(s).padStart(2, '0')}`;
}

/**
 * The time left in words, agreeing with the visible countdown: its seconds rounded down to a
 * 10-second step, so it never promises more time than `formatCountdown` shows
 * (1:59 → "1 minute 50 seconds", 0:09 → "less than 10 seconds").
 */
export function timeLeftInWords(msLeft: number): string {
  const total = Math.max(0, Math.ceil(msLeft / 1000));
  if (total < 10) return 'less than 10 seconds';
  const m = Math.floor(total / 60);
  const s = Math.floor((total % 60) / 10) * 10;
  const minutes = m === 0 ? '' : m === 1 ? '1 minute' : `${m} minutes`;
  const seconds = s === 0 ? '' : `${s} seconds`;
  return [minutes, seconds].filter(Boolean).join(' ');
}

/**
 * The dialog's accessible description: the same remaining time as the visible countdown, in
 * 10-second steps (`timeLeftInWords`), so it changes at most every 10 s.
 */
export function announcement(msLeft: number): string {
  return `For your security, you will be signed out in ${timeLeftInWords(msLeft)}.`;
}

/**
 * What the polite live region speaks, rarer still so screen readers are not flooded (HMRC's
 * timeout dialog): on each change of minute while more than a minute is left, then every 10 s.
 * Each text agrees with the countdown at the moment it changes; rewrite the region only then.
 */
export function liveAnnouncement(msLeft: number): string {
  const total = Math.max(0, Math.ceil(msLeft / 1000));
  return total >= 60 ? announcement(Math.floor(total / 60) * 60_000) : announcement(msLeft);
}

/** The system notification's sentence (SPEC §14). */
export function notificationText(msLeft: number): string {
  return `You'll be signed out in ${timeLeftInWords(msLeft)} — click to stay signed in`;
}
