import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it, vi } from 'vitest';

/** The worker as the browser runs it: a classic script, here in a context whose `self` is faked. */
const SOURCE = readFileSync(new URL('../service-worker/sessiond-sw.js', import.meta.url), 'utf8');

interface FakeWindow {
  url: string;
  postMessage: ReturnType<typeof vi.fn>;
  focus: ReturnType<typeof vi.fn>;
}

/** Served at /auth/sessiond-sw.js, registered under /auth/sessiond-notifications/ (no page is under it). */
function worker(windowUrls: string[]) {
  const handlers = new Map<string, (event: unknown) => void>();
  const windows: FakeWindow[] = windowUrls.map((url) => ({ url, postMessage: vi.fn(), focus: vi.fn(async () => {}) }));
  const openWindow = vi.fn(async () => null);
  const self = {
    location: new URL('https://app.example.com/auth/sessiond-sw.js'),
    registration: { scope: 'https://app.example.com/auth/sessiond-notifications/' },
    clients: { matchAll: vi.fn(async () => windows), openWindow },
    skipWaiting: vi.fn(),
    addEventListener: (type: string, handler: (event: unknown) => void) => void handlers.set(type, handler),
  };
  runInNewContext(SOURCE, { self, URL });
  /** The browser's notificationclick on a notification the SDK showed from `url`. */
  const click = async (url: unknown, tag = 'sessiond-timeout-warning') => {
    let done: Promise<unknown> = Promise.resolve();
    const close = vi.fn();
    handlers.get('notificationclick')!({ notification: { tag, data: { url }, close }, waitUntil: (p: Promise<unknown>) => void (done = p) });
    await done;
    return close;
  };
  return { windows, openWindow, click };
}

const STAY = { type: 'sessiond:notification-click', tag: 'sessiond-timeout-warning' };

describe('sessiond-sw.js: a click on the warning (SPEC §14)', () => {
  it('tells the tab of the page that showed it, matched by origin and path whatever its query, then focuses it', async () => {
    const sw = worker(['https://app.example.com/auth/settings', 'https://app.example.com/auth/demo?report=7#total', 'https://other.example.com/auth/demo']);
    const close = await sw.click('https://app.example.com/auth/demo');
    expect(close).toHaveBeenCalledOnce();
    expect(sw.windows.map((w) => w.postMessage.mock.calls)).toEqual([[], [[STAY]], []]);
    expect(sw.windows[1]!.focus).toHaveBeenCalledOnce();
    expect(sw.openWindow).not.toHaveBeenCalled();
  });

  it("else another page under the worker's directory (a window's url is where it was loaded: a pushState leaves it behind)", async () => {
    const sw = worker(['https://app.example.com/elsewhere', 'https://app.example.com/auth/login']);
    await sw.click('https://app.example.com/auth/demo');
    expect(sw.windows.map((w) => w.postMessage.mock.calls.length)).toEqual([0, 1]);
  });

  it('opens the page again when no tab has it; nothing for another origin or tag', async () => {
    const sw = worker(['https://app.example.com/elsewhere']);
    await sw.click('https://app.example.com/auth/demo');
    expect(sw.openWindow.mock.calls).toEqual([['https://app.example.com/auth/demo']]);
    await sw.click('https://evil.example/auth/demo');
    await sw.click('not a url');
    await sw.click('https://app.example.com/auth/demo', 'another-apps-tag');
    expect(sw.openWindow).toHaveBeenCalledOnce();
    expect(sw.windows[0]!.postMessage).not.toHaveBeenCalled();
  });
});
