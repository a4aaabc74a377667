import { ApiError, type ActivityItem } from '@sessiond/sdk';
import { useSessionClient, useSessionEvent } from '@sessiond/sdk/react';
import { useCallback, useEffect, useState } from 'react';
import { formatDateTime, formatLocation } from '../format.ts';

const PAGE = 10;

/**
 * The person's own security history (SPEC §13): sign-ins, sessions that ended and why, failed
 * sign-ins, changes of password, two-step sign-in and trusted devices. Loaded passively: reading
 * one's history is not activity that should keep a session alive.
 */
export function RecentActivity() {
  const client = useSessionClient();
  const [items, setItems] = useState<ActivityItem[] | null>(null);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const fetchPage = useCallback(
    async (before?: string) => {
      const query = `limit=${PAGE}${before ? `&before=${encodeURIComponent(before)}` : ''}`;
      return (await client.request<{ events: ActivityItem[] }>('GET', `/v1/activity?${query}`, undefined, { passive: true })).events;
    },
    [client],
  );

  const load = useCallback(async () => {
    try {
      const page = await fetchPage();
      setItems(page);
      setMore(page.length === PAGE);
      setError(null);
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) setError('We could not load your recent activity. We will try again shortly.');
    }
  }, [fetchPage]);

  useEffect(() => void load(), [load]);
  useSessionEvent('sessionsChanged', () => void load());

  const showMore = async () => {
    const last = items?.at(-1);
    if (!last) return;
    try {
      const page = await fetchPage(last.id);
      setItems((list) => [...(list ?? []), ...page]);
      setMore(page.length === PAGE);
    } catch {
      setError('We could not load more activity. Please try again.');
    }
  };

  return (
    <section className="card recent-activity" aria-labelledby="recent-activity-title">
      <h2 id="recent-activity-title" className="section-title">
        Recent activity
      </h2>
      <p className="muted">Sign-ins, sign-outs and why, and changes to your account over the last 90 days.</p>
      {error && (
        <div className="notice notice-error" role="alert">
          {error}
        </div>
      )}
      {items === null ? (
        !error && <p className="loading">Loading activity…</p>
      ) : items.length === 0 ? (
        <p>Nothing yet.</p>
      ) : (
        <ol className="activity-list">
          {items.map((item) => (
            <li key={item.id} className={`activity activity-${item.type.replace('.', '-')}`}>
              <span className="activity-message">{item.message}</span>
              <span className="activity-when muted">
                <time dateTime={item.at}>{formatDateTime(item.at)}</time>
                {item.location && <> · {formatLocation(item.location)} (approximate)</>}
              </span>
            </li>
          ))}
        </ol>
      )}
      {more && (
        <button type="button" className="button button-quiet" onClick={() => void showMore()}>
          Show older activity
        </button>
      )}
    </section>
  );
}
