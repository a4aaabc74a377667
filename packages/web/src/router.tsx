import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';
import { BASE_PATH, withBase } from './base-path.ts';

const NAVIGATE = 'sessiond:navigate';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATE, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATE, onChange);
  };
}

/** The page's path without the base path: what the pages match on (`/login`, `/demo`). */
const currentUrl = () => {
  const p = location.pathname;
  const inside = BASE_PATH === '' ? p : p === BASE_PATH ? '/' : p.startsWith(BASE_PATH + '/') ? p.slice(BASE_PATH.length) : p;
  return inside + location.search;
};

/** The current path and query; re-renders on navigation. Five pages do not need a router library. */
export function useLocation(): URL {
  const href = useSyncExternalStore(subscribe, currentUrl);
  return new URL(href, location.origin);
}

/** To one of sessiond's pages, `to` without the base path. */
export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) history.replaceState(null, '', withBase(to));
  else history.pushState(null, '', withBase(to));
  window.dispatchEvent(new Event(NAVIGATE));
}

/**
 * Only same-site paths are followed after sign-in: `?next=//evil.example` must not redirect off-site.
 * `next` is a full path of this origin (`/auth/demo`, or an app's own `/account` when sessiond sits
 * behind the app's origin).
 */
export function safeNext(next: string | null, fallback = withBase('/demo')): string {
  if (!next || !next.startsWith('/')) return fallback;
  // Judged as the browser will read it: it drops tabs and newlines, so `/\t/evil.example` is
  // `//evil.example`, and `/.//evil.example` resolves to that path too.
  let url: URL;
  try {
    url = new URL(next, location.origin);
  } catch {
    return fallback;
  }
  if (url.origin !== location.origin || url.pathname.startsWith('//') || url.pathname.startsWith('/\\')) return fallback;
  return url.pathname + url.search + url.hash;
}

const PAGES = new Set(['/login', '/signup', '/settings/security/sessions', '/signed-out', '/demo']);

/** After sign-in: one of sessiond's pages in place; anything else on the origin (the app's) by a page load. */
export function followNext(next: string, opts: { replace?: boolean } = {}): void {
  const url = new URL(next, location.origin);
  const inside = BASE_PATH === '' ? url.pathname : url.pathname.startsWith(BASE_PATH + '/') ? url.pathname.slice(BASE_PATH.length) : null;
  if (inside !== null && PAGES.has(inside)) navigate(inside + url.search, opts);
  else if (opts.replace) location.replace(next);
  else location.assign(next);
}

/** A link to one of sessiond's pages, `to` without the base path. */
export function Link({ to, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    rest.onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return <a {...rest} href={withBase(to)} onClick={onClick} />;
}
