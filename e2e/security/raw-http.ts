import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Writes bytes no HTTP client library would send and collects whatever comes back until the
 * server closes the connection or `waitMs` passes (a keep-alive connection simply stays open).
 */
export function sendRaw(url: string, payload: string, waitMs = 1500): Promise<Buffer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks));
    };
    const socket = connect(Number(port), hostname, () => socket.write(Buffer.from(payload, 'latin1')));
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('end', done);
    socket.on('close', done);
    socket.on('error', done);
    const timer = setTimeout(done, waitMs);
  });
}

/** Splits what came back into responses (Content-Length or chunked bodies; interim 1xx have none). */
export function parseResponses(raw: Buffer): RawResponse[] {
  const out: RawResponse[] = [];
  let rest = raw.toString('latin1');
  while (rest.startsWith('HTTP/')) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) break;
    const [statusLine, ...lines] = rest.slice(0, end).split('\r\n');
    const status = Number(/^HTTP\/\d\.\d (\d{3})/.exec(statusLine!)?.[1] ?? 0);
    const headers: Record<string, string> = {};
    for (const l of lines) {
      const i = l.indexOf(':');
      headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    rest = rest.slice(end + 4);
    let body = '';
    if (status >= 100 && status < 200) body = '';
    else if (headers['content-length'] !== undefined) {
      const len = Number(headers['content-length']);
      body = rest.slice(0, len);
      rest = rest.slice(len);
    } else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
      for (;;) {
        const nl = rest.indexOf('\r\n');
        const size = parseInt(rest.slice(0, nl), 16);
        if (nl < 0 || !Number.isFinite(size)) break;
        body += rest.slice(nl + 2, nl + 2 + size);
        rest = rest.slice(nl + 2 + size + 2);
        if (size === 0) break;
      }
    } else {
      body = rest;
      rest = '';
    }
    out.push({ status, headers, body: Buffer.from(body, 'latin1').toString('utf8') });
  }
  return out;
}
