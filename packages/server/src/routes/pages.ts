import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import { service as C } from '@sessiond/contract';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ContractInstance } from '../contract/openapi.ts';
import type { AppContext } from '../context.ts';

const PAGE_PATHS = ['/', '/login', '/signup', '/settings/security/sessions', '/signed-out', '/demo'];

// The pages ship inside this package (`files`: pages/), two levels above this module both as
// source (src/routes/pages.ts) and as built (dist/routes/pages.js): found where it is installed.
const WEB_DIST = join(dirname(fileURLToPath(import.meta.url)), '../../pages');

/** Headers for every page: no inline script or style, no framing, no referrer leaks (nosniff is on every answer: app.ts). */
export function pageSecurityHeaders(reply: FastifyReply, https: boolean): void {
  reply.header(
    'content-security-policy',
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  );
  reply.header('referrer-policy', 'no-referrer');
  reply.header('x-frame-options', 'DENY');
  reply.header('cross-origin-opener-policy', 'same-origin');
  if (https) reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
}

/**
 * index.html as served: Vite builds it with relative asset paths (`./assets/…`), which would break
 * on nested pages, so they are made absolute here, under the base path when sessiond sits behind
 * the app's origin at one (`/auth`); a meta tag tells the pages that path for links and API calls.
 */
export function pageShell(html: string, basePath: string): string {
  const meta = `<meta name="sessiond-base-path" content="${basePath.replace(/[&"<>]/g, '')}" />`;
  return html.replace(/(src|href)="\.\/assets\//g, `$1="${basePath}/assets/`).replace('<head>', `<head>\n    ${meta}`);
}


/**
 * A mistyped page address (`/signin`) asked for by a browser: the pages' own "Page not found"
 * with a link to sign in, not the API's JSON. API clients (no text/html in Accept), the API's
 * own paths and anything but GET/HEAD keep the JSON 404. Null when the pages are not built.
 */
export function notFoundPage(app: AppContext): ((req: FastifyRequest, reply: FastifyReply) => FastifyReply | null) | null {
  const indexPath = join(WEB_DIST, 'index.html');
  if (!existsSync(indexPath)) return null;
  const index = pageShell(readFileSync(indexPath, 'utf8'), app.config.basePath);
  return (req, reply) => {
    const path = req.url.split('?')[0]!;
    const page = (req.method === 'GET' || req.method === 'HEAD') && /\btext\/html\b/.test(req.headers.accept ?? '') && !/^\/(v1|\.well-known|assets)(\/|$)/.test(path);
    if (!page) return null;
    pageSecurityHeaders(reply, app.secureCookies);
    return reply.code(404).type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(index);
  };
}

/** The React pages, built by Vite (packages/web) into this package's pages/ and served as one SPA. */
export async function pageRoutes(f: ContractInstance, app: AppContext): Promise<void> {
  const https = app.secureCookies;
  const indexPath = join(WEB_DIST, 'index.html');
  if (!existsSync(indexPath)) {
    app.logger.warn('web pages are not built; run `npm run build:web`');
    for (const path of PAGE_PATHS) {
      f.get(path, { schema: C.page }, async (_req, reply) => {
        pageSecurityHeaders(reply, https);
        return reply.type('text/plain; charset=utf-8').code(503).send('The web pages are not built yet: run `npm run build:web`.');
      });
    }
    return;
  }
  const index = pageShell(readFileSync(indexPath, 'utf8'), app.config.basePath);
  await f.register(fastifyStatic, { root: join(WEB_DIST, 'assets'), prefix: '/assets/', decorateReply: false, index: false, immutable: true, maxAge: '1y' });
  f.addHook('onSend', async (req, reply, payload) => {
    if (req.url.startsWith('/assets/')) pageSecurityHeaders(reply, https);
    return payload;
  });
  // At the top of the pages (the SDK registers it at <base path>/sessiond-notifications/, below
  // its directory, never over the app's own worker); revalidated, so a new SDK's worker replaces
  // the old on the next registration.
  const workerPath = join(WEB_DIST, 'sessiond-sw.js');
  if (existsSync(workerPath)) {
    const serviceWorker = readFileSync(workerPath, 'utf8');
    f.get('/sessiond-sw.js', { schema: C.serviceWorker }, async (_req, reply) => {
      pageSecurityHeaders(reply, https);
      return reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(serviceWorker);
    });
  }
  for (const path of PAGE_PATHS) {
    f.get(path, { schema: C.page }, async (req, reply) => {
      pageSecurityHeaders(reply, https);
      if (path === '/') return reply.redirect(`${app.config.basePath}/demo`);
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(index);
    });
  }
}
