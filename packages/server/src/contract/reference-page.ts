/**
 * GET /docs rendered on the server from the OpenAPI document: plain HTML and one stylesheet, no
 * script at all, so it lives under the pages' CSP (no 'unsafe-inline'). Swagger UI applies inline
 * styles and Scalar injects a <style> element at run time; both would need the CSP loosened.
 */

type Json = Record<string, unknown>;

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const anchor = (s: string) => s.replace(/[^A-Za-z0-9]+/g, '-');

/** A schema as short text: `SessionView` for a reference, JSON otherwise, with links to components. */
function schemaHtml(schema: unknown): string {
  if (!schema || typeof schema !== 'object') return '';
  const text = escape(JSON.stringify(schema, null, 2));
  return `<pre>${text.replace(/&#34;#\/components\/schemas\/([A-Za-z0-9]+)&#34;/g, (_m, name: string) => `"<a href="#schema-${name}">${name}</a>"`)}</pre>`;
}

function operationHtml(method: string, path: string, op: Json): string {
  const params = (op.parameters as Json[] | undefined) ?? [];
  const body = (op.requestBody as { content?: Record<string, { schema?: unknown }> } | undefined)?.content?.['application/json']?.schema;
  const responses = Object.entries((op.responses as Record<string, Json> | undefined) ?? {});
  return [
    `<section id="${anchor(`${method}-${path}`)}"><h3><span class="method">${method.toUpperCase()}</span> <code>${escape(path)}</code></h3>`,
    op.summary ? `<p>${escape(String(op.summary))}</p>` : '',
    op.description ? `<p class="description">${escape(String(op.description))}</p>` : '',
    params.length ? `<h4>Parameters</h4><ul>${params.map((p) => `<li><code>${escape(String(p.name))}</code> (${escape(String(p.in))}${p.required ? ', required' : ''})${schemaHtml(p.schema)}</li>`).join('')}</ul>` : '',
    body ? `<h4>Body</h4>${schemaHtml(body)}` : '',
    `<h4>Answers</h4><dl>${responses
      .map(([status, r]) => {
        const content = Object.entries((r.content as Record<string, { schema?: unknown }> | undefined) ?? {});
        return `<dt>${escape(status)}</dt><dd>${escape(String(r.description ?? ''))}${content.map(([type, c]) => `<div class="type">${escape(type)}</div>${schemaHtml(c.schema)}`).join('')}</dd>`;
      })
      .join('')}</dl></section>`,
  ].join('');
}

export function referencePage(doc: Json): string {
  const info = (doc.info as Json | undefined) ?? {};
  const paths = Object.entries((doc.paths as Record<string, Record<string, Json>> | undefined) ?? {});
  const operations = paths.flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ method, path, op })));
  const schemas = Object.entries(((doc.components as Json | undefined)?.schemas as Record<string, unknown> | undefined) ?? {});
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(String(info.title ?? 'API'))} API reference</title><link rel="stylesheet" href="docs/reference.css"></head>
<body><header><h1>${escape(String(info.title ?? 'API'))} API reference</h1><p>${escape(String(info.description ?? ''))}</p>
<p>The same document as JSON: <a href="openapi.json">/openapi.json</a> (OpenAPI ${escape(String(doc.openapi))}).</p></header>
<nav aria-label="Routes"><ul>${operations.map(({ method, path }) => `<li><a href="#${anchor(`${method}-${path}`)}"><span class="method">${method.toUpperCase()}</span> ${escape(path)}</a></li>`).join('')}</ul></nav>
<main><h2>Routes</h2>${operations.map(({ method, path, op }) => operationHtml(method, path, op)).join('\n')}
<h2>Schemas</h2>${schemas.map(([name, s]) => `<section id="schema-${anchor(name)}"><h3>${escape(name)}</h3>${schemaHtml(s)}</section>`).join('\n')}</main></body></html>
`;
}

export const REFERENCE_CSS = `body{font:15px/1.5 system-ui,sans-serif;margin:0;display:grid;grid-template-columns:minmax(14rem,22rem) 1fr;color:#1b1b1b}
header{grid-column:1/-1;padding:1rem 2rem;border-bottom:1px solid #ddd}nav{padding:1rem;border-right:1px solid #ddd;overflow:auto;max-height:100vh;position:sticky;top:0}
nav ul{list-style:none;padding:0;margin:0}nav a{display:block;padding:.15rem 0;text-decoration:none;color:inherit;font-size:13px}main{padding:1rem 2rem;min-width:0}
section{border-bottom:1px solid #eee;padding:.5rem 0}.method{display:inline-block;min-width:4.2em;font:600 12px ui-monospace,monospace;color:#0a5}
pre{background:#f6f6f6;padding:.5rem;overflow:auto;font-size:12px}dt{font-weight:600}.type{font:12px ui-monospace,monospace;color:#555}
@media (prefers-color-scheme:dark){body{background:#111;color:#e7e7e7}pre{background:#1d1d1d}a{color:#7cf}}`;
