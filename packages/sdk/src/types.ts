/**
 * The wire shapes of sessiond's HTTP API (SPEC §4–§5) as the browser sees them, plus the SDK's
 * own state and events. Kept separate from @sessiond/core on purpose: the SDK ships to browsers
 * and must not pull in server code.
 */

export type EndReason =
  | 'idle_timeout'
  | 'absolute_timeout'
  | 'logged_out'
  | 'revoked'
  | 'revoked_all'
  | 'revoked_by_admin'
  | 'password_changed'
  | 'concurrent_limit'
  | 'ip_changed'
  | 'device_changed'
  | 'refresh_token_reused'
  | 'global_logout';

export const END_REASONS: readonly EndReason[] = [
  'idle_timeout',
  'absolute_timeout',
  'logged_out',
  'revoked',
  'revoked_all',
  'revoked_by_admin',
  'password_changed',
  'concurrent_limit',
  'ip_changed',
  'device_changed',
  'refresh_token_reused',
  'global_logout',
];

export function isEndReason(v: unknown): v is EndReason {
  return typeof v === 'string' && (END_REASONS as readonly string[]).includes(v);
}

export interface PublicUser {
  id: string;
  email: string;
  createdAt: string;
  totpEnabled: boolean;
}

export interface SessionLocation {
  city: string | null;
  region: string | null;
  country: string | null;
}

export interface SessionView {
  id: string;
  userId: string;
  app: string;
  current: boolean;
  createdAt: string;
  lastActiveAt: string;
  idleExpiresAt: string;
  absoluteExpiresAt: string;
  expiresAt: string;
  warnAt: string;
  rememberMe: boolean;
  trustedDevice: boolean;
  device: { browser: string | null; os: string | null; type: string; label: string };
  location: SessionLocation | null;
  ip: string | null;
}

export interface ErrorBody {
  error: { code: string; message: string; reason?: string; endedAt?: string; details?: Record<string, unknown> };
}

/** Why this tab's session is over, in words for the person in front of the screen. */
export interface Ending {
  reason: EndReason | null;
  message: string;
  endedAt: string | null;
  /** The person signed out on purpose in this browser (this tab or another): drafts are erased. */
  byThisBrowser: boolean;
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
