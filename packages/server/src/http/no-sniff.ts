import type { FastifyReply } from 'fastify';

/** Every answer, JSON, error, page or event stream, is read only as the type it declares. */
export const NO_SNIFF_HEADER = 'x-content-type-options';

/**
 * On Fastify's own header list, not the raw response: one header set there sends Node's writeHead
 * down its slow path (every other header set and validated a second time) on every request. An
 * answer that hijacks the reply writes its own head, so it adds `noSniffHead` there itself.
 */
export function noSniff(reply: FastifyReply): void {
  reply.header(NO_SNIFF_HEADER, 'nosniff');
}

/** For hijacked answers (the event streams): first, where the raw header used to come. */
export const noSniffHead = { [NO_SNIFF_HEADER]: 'nosniff' } as const;
