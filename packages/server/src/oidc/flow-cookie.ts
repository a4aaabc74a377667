import type { FastifyReply } from 'fastify';
import type { AppContext } from '../context.ts';
import { readCookie, serializeCookie } from '../http/cookies.ts';
import type { Sealer } from './seal.ts';

/** Time to get through the provider's login page. */
const FLOW_TTL_MS = 10 * 60_000;
const PURPOSE = 'oidc sign-in flow';

/** What the callback must check against: kept in this browser only, sealed (nothing readable or forgeable). */
export interface FlowState {
  provider: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  app: string;
  mode: 'cookie' | 'token';
  next: string;
  expiresAt: number;
  /** Step-up of this session (its id), not a new sign-in; the provider must authenticate after `startedAt`. */
  reauthSessionId: string | null;
  startedAt: number;
  /** This sign-in is the one retry after the provider's keys changed: it is not retried again. */
  retried: boolean;
}

const HANDOFF_TTL_MS = 60_000;
const HANDOFF_PURPOSE = 'oidc token-mode handoff';
const handoffCookieName = (app: AppContext) => (app.secureCookies ? '__Host-sessiond-oidc-handoff' : 'sessiond_oidc_handoff');

export const flowCookieName = (app: AppContext) => (app.secureCookies ? '__Host-sessiond-oidc' : 'sessiond_oidc');

/** What the callback found: the flow, or why there is none. */
export interface TakenFlow {
  flow: FlowState | null;
  /**
   * Whether a flow cookie came back at all (any value: one expired, one of another flow, one used
   * up). None means this browser did not keep the one the start set: probably it blocks this
   * site's cookies (issue #17), or the sign-in was started in another browser.
   */
  arrived: boolean;
}

/** What a used-up flow cookie is replaced with: it opens as no flow, but says one was here. */
const USED = 'used';

/**
 * The PKCE verifier, state and nonce of one sign-in, in an HttpOnly cookie sealed with the
 * server's key: bound to this browser (a link to the callback opened elsewhere finds no cookie),
 * and no server-side state to share between nodes. SameSite=Lax: the provider's redirect back is a
 * top-level navigation, which Lax lets through. A browser-session cookie (no Max-Age): the flow's
 * 10 minutes are sealed inside (`expiresAt`), so a flow that took too long still comes back and is
 * told apart from no cookie at all, which is what a browser that blocks cookies sends.
 */
export class FlowCookie {
  constructor(
    private readonly app: AppContext,
    private readonly sealer: Sealer,
  ) {}

  set(reply: FastifyReply, flow: FlowState): void {
    const value = this.sealer.seal(JSON.stringify(flow), PURPOSE);
    reply.header('set-cookie', serializeCookie(flowCookieName(this.app), value, { secure: this.app.secureCookies }));
  }

  /**
   * One use: whatever the outcome, the cookie is replaced by a marker that opens as no flow (a
   * replay signs no one in) but still comes back, so a second visit reads as a used flow, not as
   * a browser that keeps no cookies. The next start overwrites it; it goes with the browser.
   */
  take(cookieHeader: string | undefined, reply: FastifyReply, now: number): TakenFlow {
    const raw = readCookie(cookieHeader, flowCookieName(this.app));
    reply.header('set-cookie', serializeCookie(flowCookieName(this.app), USED, { secure: this.app.secureCookies }));
    const arrived = raw !== null;
    const plain = raw ? this.sealer.open(raw, PURPOSE) : null;
    if (!plain) return { flow: null, arrived };
    const flow = JSON.parse(plain) as FlowState;
    return { flow: flow.expiresAt > now ? flow : null, arrived };
  }

  /**
   * Token mode (start?mode=token): the callback hands the new session to the page at `next`
   * through a sealed HttpOnly cookie that lives a minute, never through the URL; POST
   * /v1/oidc/tokens exchanges it, once, for the tokens.
   */
  setHandoff(reply: FastifyReply, token: string, now: number): void {
    const value = this.sealer.seal(JSON.stringify({ token, expiresAt: now + HANDOFF_TTL_MS }), HANDOFF_PURPOSE);
    reply.header('set-cookie', serializeCookie(handoffCookieName(this.app), value, { secure: this.app.secureCookies, maxAge: HANDOFF_TTL_MS / 1000 }));
  }

  takeHandoff(cookieHeader: string | undefined, reply: FastifyReply, now: number): string | null {
    reply.header('set-cookie', serializeCookie(handoffCookieName(this.app), '', { secure: this.app.secureCookies, maxAge: 0 }));
    const raw = readCookie(cookieHeader, handoffCookieName(this.app));
    const plain = raw ? this.sealer.open(raw, HANDOFF_PURPOSE) : null;
    if (!plain) return null;
    const handoff = JSON.parse(plain) as { token: string; expiresAt: number };
    return handoff.expiresAt > now ? handoff.token : null;
  }

  static expiresAt(now: number): number {
    return now + FLOW_TTL_MS;
  }
}
