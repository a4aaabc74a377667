import { humanDuration, plural } from './duration.ts';
import { endingText, type EndingText } from './error-registry.ts';
import type { EndDetail, EndReason } from './types.ts';

/** The numbers and names a reason's sentence (in the registry's ENDINGS) may need. */
export interface ReasonContext {
  detail?: EndDetail | null;
  /** Defaults used when the detail does not carry the number (e.g. for `/login?reason=`). */
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
  maxSessions: number;
}

/** Picks the reason's registered sentence for the facts known, and fills them in. */
export function endReasonMessage(reason: EndReason, ctx: ReasonContext): EndingText {
  const d = ctx.detail ?? {};
  const device = d.byDevice;
  switch (reason) {
    case 'idle_timeout':
      return endingText('idle_timeout', { idle: humanDuration(d.timeoutMs ?? ctx.idleTimeoutMs) });
    case 'absolute_timeout':
      return endingText('absolute_timeout', { absolute: humanDuration(d.timeoutMs ?? ctx.absoluteTimeoutMs) });
    case 'revoked':
      return device ? endingText('revoked.by_device', { device }) : endingText('revoked');
    case 'revoked_all':
      return device ? endingText('revoked_all.by_device', { device }) : endingText('revoked_all');
    case 'concurrent_limit': {
      if (d.accountLimit !== undefined) {
        const accountLimit = d.accountLimit;
        return device ? endingText('concurrent_limit.account_by_device', { device, accountLimit }) : endingText('concurrent_limit.account', { accountLimit });
      }
      const sessions = plural(d.limit ?? ctx.maxSessions, 'session');
      return device ? endingText('concurrent_limit.by_device', { device, sessions }) : endingText('concurrent_limit', { sessions });
    }
    case 'sso_logout':
    case 'sso_ended':
      return d.provider ? endingText(`${reason}.by_provider`, { provider: d.provider }) : endingText(reason);
    default:
      return endingText(reason);
  }
}
