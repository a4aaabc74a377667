import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../harness.ts';

// SPEC §10: the document is generated from the routes' own schemas, valid OpenAPI 3.1, and readable at /docs under the pages' CSP.
describe('GET /openapi.json and GET /docs', () => {
  let server: ServerProcess;
  let doc: { openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown> }>>; components: { schemas: Record<string, unknown> } };
  beforeAll(async () => {
    server = await startServer();
    doc = await (await fetch(`${server.url}/openapi.json`)).json();
  });
  afterAll(() => server.stop());

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe('3.1.0');
  });

  it('documents every API route with its answers, errors included', () => {
    for (const [path, method] of [
      ['/v1/login', 'post'],
      ['/v1/session', 'get'],
      ['/v1/sessions/{id}', 'delete'],
      ['/v1/admin/apps/{app}/keys', 'post'],
      ['/v1/session/refresh', 'post'],
      ['/.well-known/jwks.json', 'get'],
      ['/v1/admin/events', 'get'],
    ] as const) {
      const op = doc.paths[path]?.[method];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(Object.keys(op!.responses)).toEqual(expect.arrayContaining(['400', '503']));
    }
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) expect(Object.keys(op.responses).length, `${method} ${path}`).toBeGreaterThan(0);
    }
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['SessionView', 'PublicUser', 'ErrorBody', 'EndReason']));
    expect(JSON.stringify(doc.paths['/v1/session']!.get!.responses['200'])).toContain('#/components/schemas/SessionView');
  });

  it('renders /docs from the document with no script and no inline style, under the pages CSP', async () => {
    const res = await fetch(`${server.url}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await res.text();
    expect(html).not.toMatch(/<script|<style| style=/i);
    expect(html).toContain('/v1/session/refresh');
    expect(html).toContain('id="schema-SessionView"');
    const css = await fetch(`${server.url}/docs/reference.css`);
    expect(css.headers.get('content-type')).toContain('text/css');
  });
});
