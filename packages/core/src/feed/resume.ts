import type { EventLog } from '../ports/event-log.ts';
import type { AuditEvent } from '../types.ts';
import { compareEventIds } from './event-ids.ts';

const PAGE = 1000;
const MAX_PAGES = 100;

export interface ResumeOptions {
  /** Called with the feed's position when `afterId` is null (`'0'` for an empty log), before any event. */
  onPosition?: (id: string) => void;
}

/**
 * One reader's feed resumed after `afterId` (SSE `Last-Event-ID`): everything recorded after it,
 * oldest first, then live events, without gaps or duplicates. Subscribes before reading, holds
 * live events back during the replay, and drops those the replay already gave. With `afterId`
 * null it starts at the current position: an event the log held before it is never delivered,
 * even when the node's live signal brings it late (a busy Redis reader). Returns unsubscribe;
 * rejects (subscribed to nothing) when the store is away.
 */
export async function resumeFeed(
  log: Pick<EventLog, 'listEvents'>,
  live: (listener: (e: AuditEvent) => void) => () => void,
  afterId: string | null,
  deliver: (e: AuditEvent) => void,
  opts: ResumeOptions = {},
): Promise<() => void> {
  const held: AuditEvent[] = [];
  const seen = new Set<string>();
  let replaying = true;
  let floor: string | null = null;
  const unsubscribe = live((e) => {
    if (replaying) held.push(e);
    else if (floor === null || compareEventIds(e.id, floor) > 0) deliver(e);
  });
  try {
    let position = afterId;
    if (position === null) {
      position = floor = (await log.listEvents({ limit: 1 }))[0]?.id ?? '0';
      opts.onPosition?.(position);
    }
    for (let page = 0; page < MAX_PAGES; page++) {
      const missed = await log.listEvents({ afterId: position, limit: PAGE });
      for (const e of missed) {
        seen.add(e.id);
        deliver(e);
      }
      if (missed.length > 0) position = missed[missed.length - 1]!.id;
      if (missed.length < PAGE) break;
    }
  } catch (e) {
    unsubscribe();
    throw e;
  }
  replaying = false;
  for (const e of held.splice(0)) if (!seen.has(e.id) && (floor === null || compareEventIds(e.id, floor) > 0)) deliver(e);
  return unsubscribe;
}
