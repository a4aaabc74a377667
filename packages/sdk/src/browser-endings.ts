/**
 * Endings the server cannot see: the browser dropped, refused or mangled the session cookie. The
 * server only ever learns "no credential" or "not a credential I issued"; what that means for the
 * person is known here, in the browser, so the words for it live here (one place, like the server's
 * registry for its own reasons). Where the cause is inferred, the sentence says "probably".
 */

export const BROWSER_CAUSES = ['cookies_blocked', 'cookies_removed', 'browser_closed', 'cookie_damaged'] as const;
export type BrowserCause = (typeof BROWSER_CAUSES)[number];

export const isBrowserCause = (v: unknown): v is BrowserCause => typeof v === 'string' && (BROWSER_CAUSES as readonly string[]).includes(v);

export const BROWSER_CAUSE_MESSAGES: Record<BrowserCause, string> = {
  // Known: the cookie set by the sign-in did not come back on the very next request.
  cookies_blocked: "Your browser is blocking this site's sign-in cookie, so you cannot stay signed in. Allow cookies for this site, then sign in again.",
  // Known: the cookie is gone before the session's deadline. Inferred: what removed it.
  cookies_removed:
    "You were signed out because this browser removed this site's cookies before your session was over — probably when the browser closed, or an extension or privacy setting cleared them. To stay signed in, let your browser keep cookies for this site.",
  // Known: a cookie meant to last only while the browser is open (no "Keep me signed in") is gone
  // before the session's deadline, on a page loaded afresh. Inferred: the browser was closed.
  browser_closed:
    'You were signed out because the browser was probably closed: without "Keep me signed in", your sign-in lasts only until the browser closes. To stay signed in next time, choose "Keep me signed in" (not on shared or public computers).',
  // Known: the server could not read the cookie as one it issued; it has removed it.
  cookie_damaged: 'Your sign-in information in this browser was damaged, so it could not be used. It has been removed: sign in again to continue.',
};

export interface BrowserSteps {
  browser: 'Chrome' | 'Firefox' | 'Safari' | 'Edge';
  steps: string;
}

/**
 * What to change in each browser (menu names as of their 2025 releases), for `site` (a host such as
 * "app.example.com"). Null for a cause no setting can help with.
 */
export function browserSteps(cause: BrowserCause, site: string): BrowserSteps[] | null {
  if (cause === 'cookie_damaged' || cause === 'browser_closed') return null;
  if (cause === 'cookies_blocked') {
    return [
      { browser: 'Chrome', steps: `Settings › Privacy and security › Site settings › Additional content settings › On-device site data: choose "Allow sites to save data on your device", or add ${site} under "Allowed to save data on your device".` },
      { browser: 'Firefox', steps: `Settings › Privacy & Security › Cookies and Site Data › Manage Exceptions…: enter ${site}, choose Allow, then Save Changes.` },
      { browser: 'Safari', steps: 'Safari › Settings › Privacy: turn off "Block all cookies". On iPhone or iPad: Settings › Apps › Safari, turn off "Block All Cookies".' },
      { browser: 'Edge', steps: `Settings › Cookies and site permissions › Manage and delete cookies and site data: turn on "Allow sites to save and read cookie data", or add ${site} under Allow.` },
    ];
  }
  return [
    { browser: 'Chrome', steps: `Settings › Privacy and security › Site settings › Additional content settings › On-device site data: add ${site} under "Allowed to save data on your device", so it is kept even when data is deleted on closing. If a cookie-cleaning extension is installed, add ${site} to its allow list.` },
    { browser: 'Firefox', steps: `Settings › Privacy & Security › Cookies and Site Data: if "Delete cookies and site data when Firefox is closed" is on, use Manage Exceptions… to Allow ${site}.` },
    { browser: 'Safari', steps: 'Private windows forget cookies when they close: sign in from a normal window to stay signed in. Safari › Settings › Privacy › Manage Website Data… shows what Safari keeps.' },
    { browser: 'Edge', steps: `Settings › Privacy, search, and services › Clear browsing data › Choose what to clear every time you close the browser: turn off "Cookies and other site data", or add ${site} under "Don't clear".` },
  ];
}
