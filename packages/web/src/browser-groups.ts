import type { SessionView } from '@sessiond/sdk';

/** One row of Active sessions: the sessions of one browser (SPEC §13), or one session no browser cookie came with. */
export interface BrowserGroup {
  key: string;
  browserId: string | null;
  /** Most recently active first. */
  sessions: SessionView[];
  /** This browser's row: the person signs out here with the header's Sign out. */
  current: boolean;
  trusted: boolean;
  /** Of the most recently active session: what tells a closed browser from a live one. */
  latest: SessionView;
  firstSeen: string;
}

const time = (iso: string) => new Date(iso).getTime();

/** Groups by browserId; the current browser first, then by last activity. */
export function groupByBrowser(sessions: SessionView[]): BrowserGroup[] {
  const groups = new Map<string, SessionView[]>();
  for (const s of sessions) {
    const key = s.browserId ? `browser:${s.browserId}` : `session:${s.id}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const rows = [...groups].map(([key, list]): BrowserGroup => {
    const ordered = [...list].sort((a, b) => time(b.lastActiveAt) - time(a.lastActiveAt));
    return {
      key,
      browserId: ordered[0]!.browserId ?? null,
      sessions: ordered,
      current: ordered.some((s) => s.current),
      trusted: ordered.some((s) => s.trustedDevice),
      latest: ordered[0]!,
      firstSeen: ordered.reduce((min, s) => (time(s.createdAt) < time(min) ? s.createdAt : min), ordered[0]!.createdAt),
    };
  });
  return rows.sort((a, b) => Number(b.current) - Number(a.current) || time(b.latest.lastActiveAt) - time(a.latest.lastActiveAt));
}
