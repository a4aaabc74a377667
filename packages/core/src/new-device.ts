import { createHash } from 'node:crypto';
import type { Counters } from './ports/counters.ts';
import type { SessionRecord } from './types.ts';

/** How long a browser counts as seen for an account: "new device" after this long away. */
export const BROWSER_MEMORY_MS = 400 * 86_400_000;

/** How long a device without a browser id (token mode, the admin API) is remembered by its app and label. */
export const NEW_DEVICE_MEMORY_MS = 365 * 86_400_000;

/**
 * Counts a sign-in that just succeeded and says whether it is the account's first from this
 * browser or device (SPEC §12 `newDevice`). The browser's own id (sessiond's browser cookie, SPEC
 * §13) says it best: new when no sign-in of this account from it was counted within
 * BROWSER_MEMORY_MS, whatever the app or trusted device. Without one, by (account, app, device
 * label, "Chrome on macOS") within NEW_DEVICE_MEMORY_MS, and never while the sign-in holds the
 * account's trusted-device cookie; two laptops with the same browser and system count as one.
 * Either way one counter, incremented atomically in every store, whose window expires by itself;
 * a sign-in counts only one of the two.
 */
export async function newDeviceSignIn(counters: Counters, s: Pick<SessionRecord, 'userId' | 'app' | 'device' | 'browserId' | 'trustedDeviceId' | 'createdAt'>): Promise<boolean> {
  if (s.browserId !== null) return (await counters.incrementCounter(`browser-seen:${s.userId}:${s.browserId}`, BROWSER_MEMORY_MS, s.createdAt)) === 1;
  const key = `seen-device:${s.userId}:${createHash('sha256').update(`${s.app}\n${s.device.label}`).digest('base64url').slice(0, 22)}`;
  const seen = await counters.incrementCounter(key, NEW_DEVICE_MEMORY_MS, s.createdAt);
  return s.trustedDeviceId === null && seen === 1;
}
