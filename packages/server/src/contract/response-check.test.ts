import { errors, ref, SessionView } from '@sessiond/contract';
import Fastify from 'fastify';
import pino from 'pino';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerContract } from './openapi.ts';
import { checkResponses } from './response-check.ts';

// The e2e suite runs with SESSIOND_CHECK_RESPONSES=1; these prove that the check really fails.
describe('SESSIOND_CHECK_RESPONSES', () => {
  const f = Fastify();
  const logged: unknown[] = [];
  const logger = pino({ level: 'error' }, { write: (line: string) => void logged.push(JSON.parse(line)) });

  beforeAll(async () => {
    await registerContract(f);
    checkResponses(f, logger);
    const schema = { response: { 200: Type.Object({ name: Type.String() }), ...errors(404) } };
    f.get('/good', { schema }, async () => ({ name: 'a' }));
    // Pre-serialised bodies skip the serialiser, so only the check can catch them.
    f.get('/missing-field', { schema }, async (_req, reply) => reply.type('application/json').send('{"other":1}'));
    f.get('/wrong-type', { schema }, async (_req, reply) => reply.type('application/json').send('{"name":5}'));
    f.get('/undocumented-status', { schema }, async (_req, reply) => reply.code(202).send({ name: 'a' }));
    f.get('/no-schema', async () => ({ name: 'a' }));
    f.get('/session', { schema: { response: { 200: Type.Object({ session: ref(SessionView) }) } } }, async (_req, reply) =>
      reply.type('application/json').send(JSON.stringify({ session: { id: 's' } })),
    );
    f.get('/error', { schema }, async (_req, reply) => reply.code(404).send({ error: { code: 'not_found', message: 'Nothing here.' } }));
    await f.ready();
  });
  afterAll(() => f.close());

  it('passes an answer that matches', async () => {
    expect((await f.inject('/good')).statusCode).toBe(200);
    expect((await f.inject('/error')).statusCode).toBe(404);
  });

  it.each(['/missing-field', '/wrong-type', '/undocumented-status', '/no-schema', '/session'])('answers 500 and logs for %s', async (path) => {
    logged.length = 0;
    const res = await f.inject(path);
    expect(res.statusCode).toBe(500);
    expect(res.json().error.code).toBe('internal_error');
    expect(logged).toEqual([expect.objectContaining({ msg: 'answer does not match its documented schema', url: path })]);
  });

  it('holds answers outside any route to the error shape', async () => {
    expect((await f.inject('/nowhere')).statusCode).toBe(500);
  });
});
