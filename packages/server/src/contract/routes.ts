import { service } from '@sessiond/contract';
import type { AppContext } from '../context.ts';
import { pageSecurityHeaders } from '../routes/pages.ts';
import type { ContractInstance } from './openapi.ts';
import { REFERENCE_CSS, referencePage } from './reference-page.ts';

/** GET /openapi.json and GET /docs: the contract as a document and as a page (SPEC §10). */
export async function contractRoutes(f: ContractInstance, app: AppContext): Promise<void> {
  // Built on first request: by then every route (and so every path of the document) exists.
  let page: string | null = null;
  f.get('/openapi.json', { schema: service.openapi }, async () => f.swagger() as unknown as Record<string, unknown>);
  f.get('/docs', { schema: service.docs }, async (_req, reply) => {
    pageSecurityHeaders(reply, app.secureCookies);
    page ??= referencePage(f.swagger() as never);
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page);
  });
  f.get('/docs/reference.css', { schema: { hide: true } }, async (_req, reply) => {
    pageSecurityHeaders(reply, app.secureCookies);
    return reply.type('text/css; charset=utf-8').header('cache-control', 'no-cache').send(REFERENCE_CSS);
  });
}
