/** Every warning notification's tag: a newer one replaces the last, silently, from any tab. */
export const WARNING_NOTIFICATION_TAG = 'sessiond-timeout-warning';
/** What the service worker (`service-worker/sessiond-sw.js`, which repeats both names) posts to the page on a click. */
export const NOTIFICATION_CLICK_MESSAGE = 'sessiond:notification-click';

export interface NotificationContent {
  title: string;
  body: string;
}

export interface WarningNotificationOptions {
  /** Where the SDK's service worker is served (`serviceWorkerUrl`); null: none. */
  serviceWorkerUrl: string | null;
  /** The person clicked it: they are back and want to stay signed in. */
  onClick(): void;
}

/**
 * The warning's one system notification (SPEC §14). Shown with `new Notification()`, or, where a
 * page may not construct one (Chrome on Android throws TypeError "Illegal constructor. Use
 * ServiceWorkerRegistration.showNotification()"), through the SDK's service worker, whose click
 * focuses the tab and tells it to stay signed in. Each new text replaces the last under the same
 * tag (no new alert); once the person has dismissed it, it is not shown again for this warning.
 */
export class WarningNotification {
  private readonly container: ServiceWorkerContainer | null;
  private page: Notification | null = null;
  /** Set once the page's constructor refused: from then on the worker shows it. */
  private worker: Promise<ServiceWorkerRegistration | null> | null = null;
  /** The body last shown; null while none is up. */
  private shown: string | null = null;
  private dismissed = false;
  /** The worker has shown one for this warning (a slow activation may skip the first texts). */
  private workerShown = false;
  /** Worker calls in order: an update never overtakes the first show or a close. */
  private queue: Promise<void> = Promise.resolve();
  private readonly onMessage = (e: MessageEvent) => {
    // Only the SDK's own worker speaks for a click: any other worker of this origin (an app's, or
    // one a third-party script registered) must not keep the session alive by posting the same words.
    if (!(typeof ServiceWorker !== 'undefined' && e.source instanceof ServiceWorker && e.source.scriptURL === new URL(this.opts.serviceWorkerUrl!, location.href).href)) return;
    const m = e.data as { type?: unknown; tag?: unknown } | null;
    if (m?.type === NOTIFICATION_CLICK_MESSAGE && m.tag === WARNING_NOTIFICATION_TAG) this.opts.onClick();
  };

  constructor(private readonly opts: WarningNotificationOptions) {
    this.container = opts.serviceWorkerUrl && typeof navigator !== 'undefined' && navigator.serviceWorker ? navigator.serviceWorker : null;
    if (this.container) {
      this.container.addEventListener('message', this.onMessage);
      // A listener added with addEventListener does not start the message queue by itself.
      this.container.startMessages();
    }
  }

  /** Shows or updates it; nothing when the text is unchanged, it was dismissed, or it is not allowed. */
  show(content: NotificationContent): void {
    if (this.dismissed || content.body === this.shown) return;
    // No Notification at all (iOS Safari outside a home-screen app): a worker could not show one
    // either, and would only be registered and refused every 10 s. The worker is for a page whose
    // constructor refuses although the permission is granted (Chrome on Android).
    if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
    this.shown = content.body;
    if (this.worker === null && this.showInPage(content)) return;
    if (!this.container) return; // the title still says it
    this.worker ??= activeRegistration(this.container, this.opts.serviceWorkerUrl!);
    const worker = this.worker;
    this.enqueue(async () => {
      const reg = await worker;
      if (!reg || this.shown !== content.body) return;
      // Gone before an update: the person dismissed it (or clicked it, which ends the warning anyway).
      if (this.workerShown && (await reg.getNotifications({ tag: WARNING_NOTIFICATION_TAG })).length === 0) {
        this.dismissed = true;
        return;
      }
      this.workerShown = true;
      // The browser keeps `data` in its notification store: the page, without its query or fragment
      // (which may hold anything), is all the worker needs to find or reopen the tab.
      await reg.showNotification(content.title, { body: content.body, tag: WARNING_NOTIFICATION_TAG, requireInteraction: true, data: { url: location.origin + location.pathname } });
    });
  }

  /**
   * It goes. `warningOver`: the next warning may notify again; otherwise the page is visible and
   * the person has the dialog in front of them: if one was up, leaving again does not bring it back
   * for this warning. A warning that began while visible showed none, so leaving still notifies.
   */
  close(warningOver: boolean): void {
    const wasUp = this.shown !== null;
    this.shown = null;
    this.workerShown = false;
    this.dismissed = !warningOver && (wasUp || this.dismissed);
    const n = this.page;
    this.page = null;
    n?.close();
    const worker = this.worker;
    if (worker) this.enqueue(async () => (await (await worker)?.getNotifications({ tag: WARNING_NOTIFICATION_TAG }))?.forEach((w) => w.close()));
  }

  dispose(): void {
    this.close(true);
    this.container?.removeEventListener('message', this.onMessage);
  }

  private showInPage(content: NotificationContent): boolean {
    let n: Notification;
    try {
      n = new Notification(content.title, { body: content.body, tag: WARNING_NOTIFICATION_TAG, requireInteraction: true });
    } catch {
      return false;
    }
    n.onclick = () => {
      window.focus();
      n.close();
      this.opts.onClick();
    };
    // Closed by the person (ours are replaced or closed after `page` has moved on).
    n.onclose = () => {
      if (this.page === n) this.dismissed = true;
    };
    this.page = n;
    return true;
  }

  private enqueue(step: () => Promise<void>): void {
    this.queue = this.queue.then(step).catch(() => {});
  }
}

/**
 * The worker's own scope, a folder below its directory (allowed without a Service-Worker-Allowed
 * header): at its default scope, `/sessiond-sw.js` would replace an app's own root worker (a PWA's).
 * No page needs to be under it: notifications go through the registration, and the worker finds
 * the pages with `includeUncontrolled`.
 */
function serviceWorkerScope(url: string): string {
  return new URL('./sessiond-notifications/', new URL(url, location.href)).pathname;
}

/** An install can hang (a stalled script fetch, a stuck worker): the title says it meanwhile. */
const ACTIVATION_TIMEOUT_MS = 10_000;

/** Until `worker` is activated or redundant, or `ms` passed; its listener goes either way. */
function activation(worker: ServiceWorker, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const settle = () => {
      clearTimeout(timer);
      worker.removeEventListener('statechange', check);
      resolve();
    };
    const check = () => {
      if (worker.state === 'activated' || worker.state === 'redundant') settle();
    };
    const timer = setTimeout(settle, ms);
    worker.addEventListener('statechange', check);
    check();
  });
}

/** The worker's registration once it is active (showNotification needs an active worker); null if it cannot be. */
async function activeRegistration(container: ServiceWorkerContainer, url: string): Promise<ServiceWorkerRegistration | null> {
  try {
    const reg = await container.register(url, { scope: serviceWorkerScope(url) });
    const pending = reg.installing ?? reg.waiting;
    if (!reg.active && pending) await activation(pending, ACTIVATION_TIMEOUT_MS);
    return reg.active ? reg : null;
  } catch {
    return null; // not served, wrong scope or type, or blocked: the title still says it
  }
}
