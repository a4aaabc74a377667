import type { Ending, SessionView } from '../types.ts';
import type { TokenSet } from './tokens.ts';

/** What one tab tells the others of the same origin. */
export type TabMessage =
  /** The server acknowledged activity or a refresh: new deadlines, and when activity was last sent. */
  | { type: 'session'; session: SessionView; sentAt: number }
  | { type: 'ended'; sessionId: string | null; ending: Ending }
  | { type: 'signed-in'; userId: string; session: SessionView }
  | { type: 'sessions-changed' }
  /** Token mode: the rotated tokens, so other tabs do not rotate again. */
  | { type: 'tokens'; tokens: TokenSet | null };

export interface TabSync {
  /** Starts listening (and posting); before that, and after `close`, posts go nowhere. */
  open(): void;
  post(message: TabMessage): void;
  close(): void;
}

/**
 * BroadcastChannel between the tabs of this origin (HMRC's `synchroniseTabs` does the same).
 * Where it is missing (very old browsers) tabs simply learn through the server instead.
 */
export function createTabSync(name: string, onMessage: (m: TabMessage) => void): TabSync {
  let channel: BroadcastChannel | null = null;
  return {
    open() {
      if (channel || typeof BroadcastChannel === 'undefined') return;
      channel = new BroadcastChannel(name);
      channel.onmessage = (e: MessageEvent<TabMessage>) => onMessage(e.data);
    },
    post: (m) => channel?.postMessage(m),
    close() {
      channel?.close();
      channel = null;
    },
  };
}
