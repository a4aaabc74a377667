import swagger from '@fastify/swagger';
import { SHARED_SCHEMAS } from '@sessiond/contract';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';

/** A route scope whose handlers' types come from the contract's TypeBox schemas. */
export type ContractInstance = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/**
 * Registers the contract's shared schemas (so routes' `$ref`s resolve for validation and
 * serialisation alike) and @fastify/swagger, which builds the OpenAPI 3.1 document from every
 * route's schemas as the routes are added: it must come before them.
 */
export async function registerContract(f: FastifyInstance): Promise<void> {
  for (const schema of SHARED_SCHEMAS) f.addSchema(schema);
  await f.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'sessiond', version: '1', description: 'The HTTP API of sessiond (SPEC §4–§5, §9). Every answer of every route, errors included, in the shapes below.' },
      components: {
        securitySchemes: {
          cookie: { type: 'apiKey', in: 'cookie', name: 'sessiond', description: 'The session cookie (__Host-sessiond over HTTPS).' },
          bearer: { type: 'http', scheme: 'bearer', description: 'The opaque session token, an access JWT (token mode), or for /v1/admin/* the admin token or an app key.' },
        },
      },
    },
    // Shared schemas appear under their own names (#/components/schemas/SessionView).
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
}
