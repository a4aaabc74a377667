import { useId } from 'react';
import type { BrowserGroup } from '../browser-groups.ts';
import { formatDateTime, formatLastActive, formatLocation } from '../format.ts';

const APP_NAMES: Record<string, string> = { web: 'Web', desktop: 'Desktop app', api: 'API', mobile: 'Mobile app' };

export function appName(app: string): string {
  return APP_NAMES[app] ?? app;
}

/** "Web, Desktop app": each app once, in the order the browser first signed in to them. */
export function appsOf(row: BrowserGroup): string {
  const bySignIn = [...row.sessions].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  return [...new Set(bySignIn.map((s) => appName(s.app)))].join(', ');
}

/**
 * One browser: which device, its apps, roughly where and from which address, first seen, last
 * active, and one Log out for all of its sessions. The facts are what tell two rows of the same
 * kind of browser apart, one of them perhaps closed for days.
 */
export function SessionRow({ row, onLogOut }: { row: BrowserGroup; onLogOut: () => void }) {
  const labelId = useId();
  const s = row.latest;
  return (
    <li className={`session ${row.current ? 'session-current' : ''}`} aria-labelledby={labelId}>
      <span className={`device-icon device-${s.device.type === 'mobile' || s.device.type === 'tablet' ? 'mobile' : 'desktop'}`} aria-hidden="true" />
      <div className="session-body">
        <div className="session-title">
          <h3 id={labelId} className="session-device">
            {s.device.label}
          </h3>
          {row.current && <span className="badge badge-current">This browser</span>}
          {row.trusted && <span className="badge badge-trusted">Trusted device</span>}
          {row.sessions.find((s) => s.sso)?.sso && <span className="badge badge-sso">Signed in with {row.sessions.find((s) => s.sso)!.sso!.label}</span>}
        </div>
        <dl className="session-facts">
          <div>
            <dt>{row.sessions.length === 1 ? 'App' : 'Apps'}</dt>
            <dd>{appsOf(row)}</dd>
          </div>
          <div>
            <dt>Location</dt>
            <dd>
              {formatLocation(s.location)}
              {s.location && <span className="muted"> (approximate)</span>}
              {s.ip && <span className="session-ip muted"> · {s.ip}</span>}
            </dd>
          </div>
          <div>
            <dt>First seen</dt>
            <dd>
              <time dateTime={row.firstSeen}>{formatDateTime(row.firstSeen)}</time>
            </dd>
          </div>
          <div>
            <dt>Last active</dt>
            <dd>
              <time dateTime={s.lastActiveAt} title={formatDateTime(s.lastActiveAt)}>
                {formatLastActive(s.lastActiveAt)}
              </time>
            </dd>
          </div>
        </dl>
      </div>
      {!row.current && (
        // The visible word is short; the accessible name says which row ("Log out Firefox on Windows").
        <button type="button" className="button button-secondary button-small session-action" onClick={onLogOut} aria-label={`Log out ${s.device.label}`}>
          Log out
        </button>
      )}
    </li>
  );
}
