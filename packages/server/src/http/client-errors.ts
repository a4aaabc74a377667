import type { Socket } from 'node:net';
import { SessiondError } from '@sessiond/core';
import { errorBody } from './errors.ts';

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (oversized headers, a garbled
 * request line, conflicting Content-Length / Transfer-Encoding) still get an answer in the SPEC's
 * error shape, then the connection closes: a smuggling attempt must not leave a half-read stream.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const e = new SessiondError(err.code === 'HPE_HEADER_OVERFLOW' ? 'invalid_request.headers_too_large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'invalid_request.too_slow' : 'invalid_request');
  const body = JSON.stringify(errorBody(e));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${e.status} ${STATUS_TEXT[e.status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
