/**
 * The wire shapes of sessiond's HTTP API (SPEC §4–§5) as the browser sees them, plus the SDK's
 * own state and events. Not from @sessiond/core on purpose: the SDK ships to browsers and must not
 * pull in server code.
 */

import type { ActivityItemView, ErrorBody, PublicUser, SessionView } from '@sessiond/contract';
import type { EndReason } from '@sessiond/contract/names';
import type { BrowserCause } from './browser-endings.ts';

export { END_REASONS, isEndReason, type EndReason } from '@sessiond/contract/names';
// The wire shapes are the static types of the server's own schemas (@sessiond/contract): type
// imports only, so no schema code reaches the browser.
export type { ErrorBody, PublicUser, SessionView };
/** A line of the person's Recent activity (`GET /v1/activity`, SPEC §13). */
export type ActivityItem = ActivityItemView;
export type SessionLocation = NonNullable<SessionView['location']>;

/** Why this tab's session is over, in words for the person in front of the screen. */
export interface Ending {
  reason: EndReason | null;
  message: string;
  endedAt: string | null;
  /** The person signed out on purpose in this browser (this tab or another): drafts are erased. */
  byThisBrowser: boolean;
  /** An ending only the browser can see (`reason` is then null): see `browser-endings.ts`. */
  cause?: BrowserCause | null;
}

export type SessionStatus =
  /** Asking the server who we are. */
  | 'loading'
  /** A session is alive. */
  | 'signed-in'
  /** No session when the page loaded (or after a deliberate sign-out). */
  | 'signed-out'
  /** The session this tab was using ended while the page was open: sign in again in place. */
  | 'ended';

export interface SessionState {
  status: SessionStatus;
  user: PublicUser | null;
  session: SessionView | null;
  /** Epoch ms: the earlier of the idle and absolute deadlines. */
  expiresAt: number | null;
  /** Epoch ms: when to warn. */
  warnAt: number | null;
  /** The pre-expiry warning should be showing. */
  warning: boolean;
  ending: Ending | null;
  /** Requests held until the person signs in again. */
  heldRequests: number;
  /**
   * The page holds the work of someone who is not signed in now (their session ended, or someone
   * else signed in): keep its content out of sight. Cleared only when that same person signs in.
   */
  covered: boolean;
}

export interface SignInInput {
  email: string;
  password: string;
  rememberMe?: boolean;
  totp?: string;
  app?: string;
}

export interface SignedIn {
  user: PublicUser;
  session: SessionView;
  /** False when someone else signed in in place: the page holds another person's work. */
  sameUser: boolean;
}

/** Every event the client emits, with its payload. */
export interface SessionEvents {
  /** Any change of `SessionState`. */
  change: SessionState;
  /** The pre-expiry warning should show. */
  warning: { expiresAt: number };
  /** The session ended: show `message`. */
  ended: Ending;
  signedIn: SignedIn;
  /** The list of the person's sessions may have changed (another tab ended one, a push arrived). */
  sessionsChanged: { cause: 'push' | 'tab' | 'local' };
}

export type SessionEventType = keyof SessionEvents;
