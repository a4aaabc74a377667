import { humanDuration } from './duration.ts';
import type { EndDetail, EndReason } from './types.ts';

/** What a person is told about each ending, with the numbers filled in. One place per reason. */
export interface ReasonContext {
  detail?: EndDetail | null;
  /** Defaults used when the detail does not carry the number (e.g. for `/login?reason=`). */
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
  maxSessions: number;
}

export function endReasonMessage(reason: EndReason, ctx: ReasonContext): string {
  const d = ctx.detail ?? {};
  switch (reason) {
    case 'idle_timeout':
      return `You were signed out after ${humanDuration(d.timeoutMs ?? ctx.idleTimeoutMs)} without activity.`;
    case 'absolute_timeout':
      return `Sessions last at most ${humanDuration(d.timeoutMs ?? ctx.absoluteTimeoutMs)}. Please sign in again.`;
    case 'logged_out':
      return 'You signed out.';
    case 'revoked':
      return d.byDevice
        ? `You were signed out from another of your sessions (${d.byDevice}).`
        : 'You were signed out from another of your sessions.';
    case 'revoked_all':
      return 'You signed out of all sessions.';
    case 'revoked_by_admin':
      return 'An administrator ended your sessions.';
    case 'password_changed':
      return 'Your password was changed, so this session was signed out.';
    case 'concurrent_limit': {
      const where = d.byDevice ? ` (${d.byDevice})` : '';
      if (d.accountLimit !== undefined) {
        return `You signed in on another device${where}, and an account can have at most ${d.accountLimit} sessions at a time, so the oldest was signed out.`;
      }
      const limit = d.limit ?? ctx.maxSessions;
      return `You signed in on another device${where}, and this app allows at most ${limit} session${limit === 1 ? '' : 's'} at a time.`;
    }
    case 'ip_changed':
      return 'Your network changed, and this app requires you to stay on the same network. Please sign in again.';
    case 'device_changed':
      return 'Your browser or device changed, and this app requires the same one. Please sign in again.';
    case 'refresh_token_reused':
      return 'An old sign-in credential was used again, so we signed you out to protect your account.';
    case 'global_logout':
      return 'All sessions were ended for security maintenance. Please sign in again.';
  }
}
