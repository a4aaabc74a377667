import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from './clock.ts';
import type { Counters } from './store.ts';

/** How long the person has to pick a session to sign out (SPEC §13). */
export const CHOICE_TTL_MS = 5 * 60_000;

/** What a sign-in proved, held for the few minutes the person takes to choose. */
export interface PendingSignIn {
  userId: string;
  app: string;
  rememberMe: boolean;
  mode: 'cookie' | 'token';
  /** The browser that asked: only it may complete the sign-in. */
  browserId: string;
  /** The trusted device the sign-in recognised, and whether a second factor was checked. */
  trustedDeviceId: string | null;
  secondFactorChecked: boolean;
}

interface Payload extends PendingSignIn {
  nonce: string;
  expiresAt: number;
}

/**
 * The choice token of a sign-in refused at the device limit: the pending sign-in, signed
 * (HMAC-SHA-256 under a key every node shares), so that choosing a session to sign out completes
 * the sign-in without the password again. Single use (a counter per nonce, atomic in every
 * store), five minutes, and bound to the browser that signed in: a token copied elsewhere, or
 * sent twice, is refused.
 */
export class SignInChoices {
  constructor(
    private readonly key: Uint8Array,
    private readonly counters: Counters,
    private readonly clock: Clock,
  ) {}

  issue(pending: PendingSignIn): string {
    const payload: Payload = { ...pending, nonce: randomBytes(16).toString('base64url'), expiresAt: this.clock.now() + CHOICE_TTL_MS };
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  /** The pending sign-in, when the token is genuine, unexpired and from this browser; null otherwise. Uses nothing up. */
  read(token: string, browserId: string | null): (PendingSignIn & { nonce: string }) | null {
    const [body, mac, extra] = token.split('.');
    if (!body || !mac || extra !== undefined) return null;
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    let payload: Payload;
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Payload;
    } catch {
      return null;
    }
    if (payload.expiresAt <= this.clock.now() || browserId === null || payload.browserId !== browserId) return null;
    const { expiresAt: _expiresAt, ...pending } = payload;
    return pending;
  }

  /** Uses the token up; false when it was used before. */
  async use(nonce: string): Promise<boolean> {
    return (await this.counters.incrementCounter(`sign-in-choice:${nonce}`, CHOICE_TTL_MS, this.clock.now())) === 1;
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
