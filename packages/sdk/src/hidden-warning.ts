import { formatCountdown, notificationText } from './countdown.ts';
import { WarningNotification } from './warning-notification.ts';

/** What the warning dialog's "Notify me before I'm signed out" button depends on. */
export type WarningNotificationPermission = 'unsupported' | NotificationPermission;

export function notificationPermission(): WarningNotificationPermission {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

/**
 * Asks for the notification permission. Call it only from a person's click (SPEC §14: never on
 * page load; browsers also ignore or penalise asks without a user gesture).
 */
export async function askNotificationPermission(): Promise<WarningNotificationPermission> {
  if (typeof Notification === 'undefined') return 'unsupported';
  return Notification.requestPermission();
}

/**
 * SPEC §14: while the timeout warning is up and the page is hidden, the countdown is in the tab's
 * title ("Signing out in 1:59 · <title>", each second) and, if the person allowed it, a system
 * notification says so, its text following the time left in the same 10-s steps as the dialog's
 * words ("You'll be signed out in 1 minute 50 seconds — click to stay signed in"); clicking it
 * focuses the tab and counts as "Stay signed in" (`warning-notification.ts`). The title comes back
 * when the warning ends (however it ends) or the page is visible again.
 */
export class HiddenWarning {
  private expiresAt: number | null = null;
  private originalTitle: string | null = null;
  /** The title this last wrote, to notice the page changing it. */
  private written: string | null = null;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private readonly notification: WarningNotification;
  private readonly onVisibility = () => this.update();

  constructor(
    private readonly doc: Document,
    stay: () => void,
    /** The SDK's service worker, for browsers whose pages may not construct a notification. */
    serviceWorkerUrl: string | null = null,
  ) {
    this.notification = new WarningNotification({ serviceWorkerUrl, onClick: stay });
    doc.addEventListener('visibilitychange', this.onVisibility);
  }

  /** The warning shows (or moved to a new deadline); null: no warning any more. */
  set(expiresAt: number | null): void {
    this.expiresAt = expiresAt;
    this.update();
  }

  dispose(): void {
    this.doc.removeEventListener('visibilitychange', this.onVisibility);
    this.set(null);
    this.notification.dispose();
  }

  private update(): void {
    const hidden = this.expiresAt !== null && this.doc.visibilityState === 'hidden';
    if (!hidden) {
      clearInterval(this.ticker);
      this.ticker = undefined;
      if (this.originalTitle !== null) this.doc.title = this.doc.title === this.written ? this.originalTitle : this.doc.title;
      this.originalTitle = null;
      this.written = null;
      // Visible again or over: the dialog (or nothing) speaks now.
      this.notification.close(this.expiresAt === null);
      return;
    }
    if (this.originalTitle === null) this.originalTitle = this.doc.title;
    this.tick();
    if (this.ticker === undefined) this.ticker = setInterval(() => this.tick(), 1_000);
  }

  private tick(): void {
    if (this.expiresAt === null || this.originalTitle === null) return;
    // The page retitled itself meanwhile: that is the title to come back to.
    if (this.written !== null && this.doc.title !== this.written) this.originalTitle = this.doc.title;
    this.written = `Signing out in ${formatCountdown(this.expiresAt - Date.now())} · ${this.originalTitle}`;
    this.doc.title = this.written;
    // Re-shown only when its words change (every 10 s), under the same tag: one notification, no new alert.
    this.notification.show({ title: this.originalTitle || 'sessiond', body: notificationText(this.expiresAt - Date.now()) });
  }
}
