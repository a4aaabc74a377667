/*
 * @sessiond/sdk's service worker (SPEC §14): where a page may not construct a Notification (Chrome
 * on Android), the SDK shows the timeout warning through this worker's registration, and a click
 * on it comes here: the tab is told to stay signed in, then focused.
 *
 * Serve this file as JavaScript from a path whose directory covers your pages (a worker's default
 * scope is its own directory: /auth/sessiond-sw.js serves /auth/…) and pass that path as
 * createSessionClient({ serviceWorkerUrl }). A classic script with no imports and no fetch
 * handler: it never sees the pages' requests, and `script-src 'self'` (or `worker-src 'self'`) lets
 * it register.
 */
'use strict';

// The same names as packages/sdk/src/warning-notification.ts.
const WARNING_NOTIFICATION_TAG = 'sessiond-timeout-warning';
const NOTIFICATION_CLICK_MESSAGE = 'sessiond:notification-click';

// A new version takes over at once: it holds no state worth waiting for.
self.addEventListener('install', () => self.skipWaiting());

self.addEventListener('notificationclick', (event) => {
  const notification = event.notification;
  if (notification.tag !== WARNING_NOTIFICATION_TAG) return;
  notification.close();
  const url = notification.data && typeof notification.data.url === 'string' ? notification.data.url : null;
  event.waitUntil(stayFromClick(url));
});

/** The tab that showed it (else another of these pages) stays signed in and comes to the front. */
async function stayFromClick(url) {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const page = windows.find((c) => c.url === url) || windows.find((c) => c.url.startsWith(self.registration.scope));
  if (!page) {
    // The tab was closed meanwhile: open the page again, where the person can carry on.
    if (url) await self.clients.openWindow(url);
    return;
  }
  // Told before focusing: focus() is allowed only inside a click the browser dispatched, and
  // staying signed in must not depend on it.
  page.postMessage({ type: NOTIFICATION_CLICK_MESSAGE, tag: WARNING_NOTIFICATION_TAG });
  await page.focus();
}
