import { ErrorBody, SHARED_SCHEMAS } from '@sessiond/contract';
import { SessiondError } from '@sessiond/core';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from '../http/errors.ts';

type ResponseSchemas = Record<string, unknown>;

/**
 * SESSIOND_CHECK_RESPONSES=1 (the e2e harness sets it): every answer is checked against the
 * schema its route documents for that status, so the whole e2e suite tests the contract. A
 * mismatch is logged and answered 500, so the test that met it fails. Off in production: the
 * serialiser already shapes answers; this catches what it cannot (a missing field, a wrong type,
 * a status the document does not list, a body sent as a pre-serialised string).
 */
export function checkResponses(f: FastifyInstance, logger: FastifyBaseLogger): void {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  for (const schema of SHARED_SCHEMAS) ajv.addSchema(schema);
  const compiled = new WeakMap<object, ValidateFunction>();
  const validator = (schema: object) => {
    let v = compiled.get(schema);
    if (!v) compiled.set(schema, (v = ajv.compile(schema)));
    return v;
  };

  f.addHook('onSend', async (req, reply, payload) => {
    const problem = mismatch(req, reply, payload, validator);
    if (!problem) return payload;
    logger.error({ method: req.method, url: req.url, route: req.routeOptions.url, status: reply.statusCode, problem }, 'answer does not match its documented schema');
    reply.code(500).type('application/json; charset=utf-8');
    return JSON.stringify(errorBody(new SessiondError('internal_error', { details: { problem: `Answer does not match its documented schema: ${problem}` } })));
  });
}

function mismatch(req: FastifyRequest, reply: FastifyReply, payload: unknown, validator: (schema: object) => ValidateFunction): string | null {
  const routeSchema = req.routeOptions.schema as { response?: ResponseSchemas; hide?: boolean } | undefined;
  // Answers outside any route (unknown paths, routing errors) are errors in the SPEC's shape.
  const outsideRoutes = req.routeOptions.url === undefined;
  // A browser's mistyped page address gets the pages' own "Page not found" (routes/pages.ts).
  if (outsideRoutes && reply.statusCode === 404 && String(reply.getHeader('content-type') ?? '').startsWith('text/html')) return null;
  const responses: ResponseSchemas | undefined = outsideRoutes ? { '4xx': ErrorBody, '5xx': ErrorBody } : routeSchema?.response;
  if (!responses) return routeSchema?.hide ? null : 'the route documents no answers';
  const status = reply.statusCode;
  const documented = (responses[String(status)] ?? responses[`${String(status)[0]}xx`] ?? responses.default) as Record<string, unknown> | undefined;
  if (!documented) return `status ${status} is not documented`;
  const type = String(reply.getHeader('content-type') ?? '').split(';')[0]!.trim();
  const content = documented.content as Record<string, { schema: object }> | undefined;
  if (content) return content[type] ? null : `content type "${type}" is not documented for ${status}`;
  if (documented.type === 'null') return payload === undefined || payload === null || payload === '' ? null : `${status} must have no body`;
  if (type !== 'application/json') return `content type "${type}" where JSON is documented`;
  let body: unknown;
  try {
    body = JSON.parse(String(payload));
  } catch {
    return 'the body is not JSON';
  }
  const validate = validator(documented);
  return validate(body) ? null : ajvText(validate);
}

function ajvText(v: ValidateFunction): string {
  return (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`).join('; ');
}
