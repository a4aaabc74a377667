/*
 * @sessiond/sdk's service worker (SPEC §14): where a page may not construct a Notification (Chrome
 * on Android), the SDK shows the timeout warning through this worker's registration, and a click
 * on it comes here: the tab is told to stay signed in, then focused.
 *
 * Serve this file as JavaScript from any path of your origin and pass that path as
 * createSessionClient({ serviceWorkerUrl }). The SDK registers it with a scope of its own below
 * its directory (/auth/sessiond-sw.js → /auth/sessiond-notifications/), so it never replaces your
 * app's own worker and controls none of your pages. A classic script with no imports and no fetch
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
  const shownBy = pageOf(url);
  if (!shownBy || shownBy.origin !== self.location.origin) return;
  // None of the pages is under this worker's scope (its own folder): they are matched by the page's
  // origin and path that the notification carries, whatever their query or fragment. A window's
  // url is where its document was loaded (a single-page app's history.pushState leaves it behind),
  // so any page under this worker's directory, where it was served for them, will do too.
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const pages = new URL('./', self.location.href).href;
  const page =
    windows.find((c) => {
      const at = pageOf(c.url);
      return at !== null && at.origin === shownBy.origin && at.pathname === shownBy.pathname;
    }) || windows.find((c) => c.url.startsWith(pages));
  if (!page) {
    // The tab was closed meanwhile: open the page again, where the person can carry on.
    await self.clients.openWindow(shownBy.origin + shownBy.pathname);
    return;
  }
  // Told before focusing: focus() is allowed only inside a click the browser dispatched, and
  // staying signed in must not depend on it.
  page.postMessage({ type: NOTIFICATION_CLICK_MESSAGE, tag: WARNING_NOTIFICATION_TAG });
  await page.focus();
}

function pageOf(url) {
  try {
    return url ? new URL(url) : null;
  } catch {
    return null;
  }
}
