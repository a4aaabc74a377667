import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  id: string;
  type: string;
  data: Record<string, any>;
  /** Set when the signature checked out with the standardwebhooks package. */
  verified: boolean;
}

/**
 * A real webhook receiver for tests: an HTTP server that checks every request's signature with the
 * `standardwebhooks` package (the specification's reference library), as an app would. `answer`
 * decides each reply: a status, or 'hang' to hold the request open (a slow receiver, a node that
 * dies mid-delivery). `down()` closes the port (refused connections); `up()` opens it again.
 */
export class WebhookReceiver {
  /** Deliveries that passed verification, in the order they arrived. */
  readonly received: Received[] = [];
  /** Every request, verified or not. */
  requests = 0;
  rejected = 0;
  answer: (n: number, type: string) => number | 'hang' = () => 204;
  private server: Server | null = null;
  private port = 0;
  private readonly hanging = new Set<ServerResponse>();
  private verifier: Webhook | null = null;

  /** `secret`: known up front (a config-file webhook), or later from the server's answer (`useSecret`). */
  constructor(public secret = '') {
    if (secret) this.useSecret(secret);
  }

  useSecret(secret: string): void {
    this.secret = secret;
    this.verifier = new Webhook(secret);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  async up(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async down(): Promise<void> {
    const s = this.server;
    this.server = null;
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** The first delivery of each message id (at least once means a repeat is possible). */
  unique(): Received[] {
    const seen = new Set<string>();
    return this.received.filter((r) => !seen.has(r.id) && seen.add(r.id));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const n = ++this.requests;
    let payload: { type: string; data: Record<string, any> } | null = null;
    try {
      if (!this.verifier) throw new Error('no secret yet');
      payload = this.verifier.verify(body, {
        'webhook-id': String(req.headers['webhook-id']),
        'webhook-timestamp': String(req.headers['webhook-timestamp']),
        'webhook-signature': String(req.headers['webhook-signature']),
      }) as { type: string; data: Record<string, any> };
    } catch {
      this.rejected++;
      res.writeHead(400).end();
      return;
    }
    const answer = this.answer(n, payload.type);
    if (answer === 'hang') {
      this.hanging.add(res);
      return;
    }
    if (answer >= 200 && answer < 300) this.received.push({ id: String(req.headers['webhook-id']), type: payload.type, data: payload.data, verified: true });
    res.writeHead(answer).end();
  }
}

export const until = async (check: () => boolean | Promise<boolean>, timeoutMs = 15_000, what = 'condition'): Promise<void> => {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

/** Checks that within each session no event arrived before an earlier one of that session. */
export function inSessionOrder(received: Received[], expected: Map<string, string[]>): void {
  for (const [sessionId, types] of expected) {
    const got = received.filter((r) => r.data.sessionId === sessionId).map((r) => r.type);
    if (JSON.stringify(got) !== JSON.stringify(types)) throw new Error(`session ${sessionId}: received ${got.join(', ')}; expected ${types.join(', ')}`);
  }
}
