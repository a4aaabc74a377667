/** "1:45" for the visible countdown (hidden from screen readers, which get `announcement`). */
export function formatCountdown(msLeft: number): string {
  const total = Math.max(0, Math.ceil(msLeft / 1000));
  const m = Math.floor(total / 60);
  const s = total % 60;
  return `${m}:${String(s).padStart(2, '0')}`;
}

/**
 * What the polite live region says. It changes rarely so screen readers are not flooded (HMRC's
 * timeout dialog): whole minutes above one minute, then 20-second steps. The live region should
 * only be rewritten when this text changes.
 */
export function announcement(msLeft: number): string {
  const seconds = Math.max(0, Math.ceil(msLeft / 1000));
  if (seconds > 60) {
    const minutes = Math.ceil(seconds / 60);
    return `For your security, you will be signed out in ${minutes} minutes.`;
  }
  const stepped = Math.max(20, Math.ceil(seconds / 20) * 20);
  return stepped === 60 ? 'For your security, you will be signed out in 1 minute.' : `For your security, you will be signed out in ${stepped} seconds.`;
}
