import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HiddenWarning, notificationPermission } from './hidden-warning.ts';

/** Just what HiddenWarning touches of a document: its title, its visibility and the event. */
class FakeDocument extends EventTarget {
  title = 'Expenses · sessiond';
  visibilityState: DocumentVisibilityState = 'visible';
  show(state: DocumentVisibilityState) {
    this.visibilityState = state;
    this.dispatchEvent(new Event('visibilitychange'));
  }
}

class FakeNotification {
  static permission: NotificationPermission = 'granted';
  static made: FakeNotification[] = [];
  onclick: (() => void) | null = null;
  onclose: (() => void) | null = null;
  closed = false;
  constructor(
    readonly title: string,
    readonly options: NotificationOptions,
  ) {
    FakeNotification.made.push(this);
  }
  close() {
    this.closed = true;
    this.onclose?.();
  }
}

/** What Chrome on Android does: pages may not construct a Notification (its permission is still there). */
class AndroidNotification {
  static get permission() {
    return FakeNotification.permission;
  }
  constructor() {
    throw new TypeError("Failed to construct 'Notification': Illegal constructor. Use ServiceWorkerRegistration.showNotification() instead.");
  }
}

/** A service worker registration that keeps its notifications by tag, as the browser does. */
function fakeWorker() {
  const shown = new Map<string, { title: string; body: string; close(): void }>();
  const registration = {
    active: {},
    showNotification: vi.fn(async (title: string, options: NotificationOptions) => void shown.set(options.tag!, { title, body: options.body!, close: () => shown.delete(options.tag!) })),
    getNotifications: async ({ tag }: { tag: string }) => (shown.has(tag) ? [shown.get(tag)!] : []),
  };
  const container = Object.assign(new EventTarget(), { register: vi.fn(async () => registration), startMessages: vi.fn() });
  /** A message as a worker's `client.postMessage` delivers it (Node's MessageEvent takes only a MessagePort as source). */
  const post = (data: unknown, source: FakeServiceWorker | null) => container.dispatchEvent(Object.assign(new Event('message'), { data, source }));
  return { shown, registration, container, post };
}

/** The browser's ServiceWorker, as a message's `source`: a same-origin worker, maybe not the SDK's. */
class FakeServiceWorker extends EventTarget {
  constructor(readonly scriptURL: string) {
    super();
  }
}

describe('HiddenWarning (SPEC §14)', () => {
  let doc: FakeDocument;
  const focus = vi.fn();
  const stay = vi.fn();
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
    vi.stubGlobal('Notification', FakeNotification);
    vi.stubGlobal('window', { focus });
    FakeNotification.made = [];
    FakeNotification.permission = 'granted';
    doc = new FakeDocument();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
    focus.mockClear();
    stay.mockClear();
  });

  it('does nothing while the page is visible', () => {
    const w = new HiddenWarning(doc as unknown as Document, stay);
    w.set(Date.now() + 120_000);
    expect(doc.title).toBe('Expenses · sessiond');
    expect(FakeNotification.made).toHaveLength(0);
  });

  it('puts a ticking countdown in the title while hidden and restores it when visible', () => {
    const w = new HiddenWarning(doc as unknown as Document, stay);
    doc.show('hidden');
    w.set(Date.now() + 120_000);
    expect(doc.title).toBe('Signing out in 2:00 · Expenses · sessiond');
    vi.advanceTimersByTime(1_000);
    expect(doc.title).toBe('Signing out in 1:59 · Expenses · sessiond');
    doc.title = 'Report · sessiond'; // the page retitles itself meanwhile
    vi.advanceTimersByTime(1_000);
    expect(doc.title).toBe('Signing out in 1:58 · Report · sessiond');
    doc.show('visible');
    expect(doc.title).toBe('Report · sessiond');
    vi.advanceTimersByTime(5_000);
    expect(doc.title).toBe('Report · sessiond');
  });

  it('one notification per warning; its click focuses the tab and stays signed in; the end restores the title', () => {
    const w = new HiddenWarning(doc as unknown as Document, stay);
    doc.show('hidden');
    w.set(Date.now() + 120_000);
    expect(FakeNotification.made.map((n) => [n.title, n.options.body, n.options.tag])).toEqual([['Expenses · sessiond', "You'll be signed out in 2 minutes — click to stay signed in", 'sessiond-timeout-warning']]);
    doc.show('visible');
    doc.show('hidden');
    // Seen on the page: leaving it again does not bring the notification back for this warning.
    expect(FakeNotification.made).toHaveLength(1);
    expect(FakeNotification.made[0]!.closed).toBe(true);
    FakeNotification.made[0]!.onclick!();
    expect(focus).toHaveBeenCalledOnce();
    expect(stay).toHaveBeenCalledOnce();
    w.set(null); // the extend answered: the warning is over
    expect(doc.title).toBe('Expenses · sessiond');
    w.set(Date.now() + 120_000); // the next warning may notify again
    expect(FakeNotification.made).toHaveLength(2);
    w.dispose();
    expect(FakeNotification.made[1]!.closed).toBe(true);
    expect(doc.title).toBe('Expenses · sessiond');
  });

  it('a warning that starts while the page is visible notifies once the person leaves it', () => {
    const w = new HiddenWarning(doc as unknown as Document, stay);
    w.set(Date.now() + 120_000); // the dialog is up, in front of them: nothing to show yet
    w.set(Date.now() + 110_000); // moved to a new deadline, still visible
    expect(FakeNotification.made).toHaveLength(0);
    doc.show('hidden');
    expect(FakeNotification.made.map((n) => n.options.body)).toEqual(["You'll be signed out in 1 minute 50 seconds — click to stay signed in"]);
    w.dispose();
  });

  it("its text follows the time left in 10-s steps, under one tag, and stops once the person dismissed it", () => {
    const w = new HiddenWarning(doc as unknown as Document, stay);
    doc.show('hidden');
    w.set(Date.now() + 125_000);
    vi.advanceTimersByTime(5_000); // 2:00: the words are the same, nothing re-shown
    expect(FakeNotification.made).toHaveLength(1);
    vi.advanceTimersByTime(1_000); // 1:59, whose 10-s step is 1:50
    expect(FakeNotification.made.map((n) => n.options.body)).toEqual([
      "You'll be signed out in 2 minutes — click to stay signed in",
      "You'll be signed out in 1 minute 50 seconds — click to stay signed in",
    ]);
    expect(new Set(FakeNotification.made.map((n) => n.options.tag)).size).toBe(1);
    FakeNotification.made[1]!.close(); // the person dismissed it
    vi.advanceTimersByTime(30_000);
    expect(FakeNotification.made).toHaveLength(2);
    expect(doc.title).toBe('Signing out in 1:29 · Expenses · sessiond');
    w.dispose();
  });

  it('where pages may not construct one (Android), the service worker shows it, counting down; its click stays signed in', async () => {
    vi.stubGlobal('Notification', AndroidNotification);
    vi.stubGlobal('location', new URL('https://app.example.com/auth/demo?report=7#total'));
    const sw = fakeWorker();
    vi.stubGlobal('navigator', { serviceWorker: sw.container });
    vi.stubGlobal('ServiceWorker', FakeServiceWorker);
    const w = new HiddenWarning(doc as unknown as Document, stay, '/auth/sessiond-sw.js');
    expect(sw.container.register).not.toHaveBeenCalled(); // only once a notification is due
    doc.show('hidden');
    w.set(Date.now() + 60_000);
    await vi.advanceTimersByTimeAsync(0);
    // Its own scope below its directory: never the app's own (root) worker's.
    expect(sw.container.register).toHaveBeenCalledWith('/auth/sessiond-sw.js', { scope: '/auth/sessiond-notifications/' });
    expect(sw.registration.showNotification).toHaveBeenCalledWith('Expenses · sessiond', {
      body: "You'll be signed out in 1 minute — click to stay signed in",
      tag: 'sessiond-timeout-warning',
      requireInteraction: true,
      data: { url: 'https://app.example.com/auth/demo' }, // kept by the browser: no query or fragment
    });
    await vi.advanceTimersByTimeAsync(10_000);
    expect([...sw.shown.values()].map((n) => n.body)).toEqual(["You'll be signed out in 50 seconds — click to stay signed in"]);
    expect(sw.container.register).toHaveBeenCalledOnce();

    // The worker's click handler posts this to the tab (sessiond-sw.js); only the SDK's own worker is heard.
    const click = { type: 'sessiond:notification-click', tag: 'sessiond-timeout-warning' };
    sw.post(click, new FakeServiceWorker('https://app.example.com/auth/some-other-sw.js'));
    sw.post(click, null);
    sw.post({ ...click, tag: 'another-tag' }, new FakeServiceWorker('https://app.example.com/auth/sessiond-sw.js'));
    sw.post({ type: 'something-else' }, new FakeServiceWorker('https://app.example.com/auth/sessiond-sw.js'));
    expect(stay).not.toHaveBeenCalled();
    sw.post(click, new FakeServiceWorker('https://app.example.com/auth/sessiond-sw.js'));
    expect(stay).toHaveBeenCalledOnce();
    w.set(null);
    await vi.advanceTimersByTimeAsync(0);
    expect(sw.shown.size).toBe(0);
    w.dispose();
  });

  it("waits for the worker's activation at most 10 s, and lets go of its listener either way", async () => {
    vi.stubGlobal('Notification', AndroidNotification);
    vi.stubGlobal('location', new URL('https://app.example.com/demo'));
    const sw = fakeWorker();
    vi.stubGlobal('navigator', { serviceWorker: sw.container });
    /** A worker still installing when registered; `activate()` moves it on, as the browser would. */
    const installing = Object.assign(new EventTarget(), { state: 'installing' as ServiceWorkerState });
    const listening = new Set<unknown>();
    installing.addEventListener = (_type: string, l: unknown) => void listening.add(l);
    installing.removeEventListener = (_type: string, l: unknown) => void listening.delete(l);
    Object.assign(sw.registration, { active: null, installing });

    const hung = new HiddenWarning(doc as unknown as Document, stay, '/sessiond-sw.js');
    doc.show('hidden');
    hung.set(Date.now() + 60_000);
    await vi.advanceTimersByTimeAsync(0);
    expect(listening.size).toBe(1);
    await vi.advanceTimersByTimeAsync(10_000); // its install never ends: given up, the title still says it
    expect(listening.size).toBe(0);
    expect(sw.registration.showNotification).not.toHaveBeenCalled();
    expect(doc.title).toBe('Signing out in 0:50 · Expenses · sessiond');
    hung.dispose();

    const activating = new HiddenWarning(doc as unknown as Document, stay, '/sessiond-sw.js');
    activating.set(Date.now() + 60_000);
    await vi.advanceTimersByTimeAsync(1_000); // 0:59: the words moved on while it installs
    expect(listening.size).toBe(1);
    Object.assign(installing, { state: 'activated' });
    Object.assign(sw.registration, { active: installing, installing: null });
    for (const l of [...listening]) (l as () => void)();
    await vi.advanceTimersByTimeAsync(0);
    expect(listening.size).toBe(0);
    // The newest words, shown although the first never were (not taken for a dismissal).
    expect(sw.registration.showNotification.mock.calls.map(([, o]) => o.body)).toEqual(["You'll be signed out in 50 seconds — click to stay signed in"]);
    activating.dispose();
  });

  it('no Notification at all (iOS Safari outside a home-screen app): no service worker, the title only', async () => {
    vi.stubGlobal('Notification', undefined);
    vi.stubGlobal('location', new URL('https://app.example.com/demo'));
    const sw = fakeWorker();
    vi.stubGlobal('navigator', { serviceWorker: sw.container });
    const w = new HiddenWarning(doc as unknown as Document, stay, '/sessiond-sw.js');
    doc.show('hidden');
    w.set(Date.now() + 60_000);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(sw.container.register).not.toHaveBeenCalled();
    expect(doc.title).toBe('Signing out in 0:40 · Expenses · sessiond');
    w.dispose();
  });

  it('no notification without the permission, and none asked for', () => {
    FakeNotification.permission = 'default';
    const w = new HiddenWarning(doc as unknown as Document, stay);
    doc.show('hidden');
    w.set(Date.now() + 60_000);
    expect(FakeNotification.made).toHaveLength(0);
    expect(doc.title).toBe('Signing out in 1:00 · Expenses · sessiond');
    vi.stubGlobal('Notification', undefined);
    expect(notificationPermission()).toBe('unsupported');
  });
});
