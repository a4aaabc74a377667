/**
 * Where sessiond's pages are mounted on their origin: '' at the root, '/auth' when sessiond sits
 * behind the app's own origin at a path (SESSIOND_PUBLIC_URL=https://app.example.com/auth). The
 * server writes it into the page (routes/pages.ts); the router, links and API calls add it.
 */
export const BASE_PATH: string = document.querySelector<HTMLMetaElement>('meta[name="sessiond-base-path"]')?.content ?? '';

/** `/v1/…` or a page path → the path on this origin. */
export const withBase = (path: string): string => BASE_PATH + path;
