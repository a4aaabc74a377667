import type { SessionView } from '@sessiond/sdk';
import { useId } from 'react';
import { formatDateTime, formatLastActive, formatLocation } from '../format.ts';

const APP_NAMES: Record<string, string> = { web: 'Web', desktop: 'Desktop app', api: 'API', mobile: 'Mobile app' };

export function appName(app: string): string {
  return APP_NAMES[app] ?? app;
}

/** One session: what device, which app, roughly where, since when, last seen, and how to end it. */
export function SessionRow({ session: s, onLogOut }: { session: SessionView; onLogOut: () => void }) {
  const labelId = useId();
  return (
    <li className={`session ${s.current ? 'session-current' : ''}`} aria-labelledby={labelId}>
      <span className={`device-icon device-${s.device.type === 'mobile' || s.device.type === 'tablet' ? 'mobile' : 'desktop'}`} aria-hidden="true" />
      <div className="session-body">
        <div className="session-title">
          <h3 id={labelId} className="session-device">
            {s.device.label}
          </h3>
          {s.current && <span className="badge badge-current">Current session</span>}
          {s.trustedDevice && <span className="badge badge-trusted">Trusted device</span>}
          {s.sso && <span className="badge badge-sso">Signed in with {s.sso.label}</span>}
        </div>
        <dl className="session-facts">
          <div>
            <dt>App</dt>
            <dd>{appName(s.app)}</dd>
          </div>
          <div>
            <dt>Location</dt>
            <dd>
              {formatLocation(s.location)}
              {s.location && <span className="muted"> (approximate)</span>}
            </dd>
          </div>
          <div>
            <dt>Signed in</dt>
            <dd>
              <time dateTime={s.createdAt}>{formatDateTime(s.createdAt)}</time>
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
      {!s.current && (
        <button type="button" className="button button-secondary button-small session-action" onClick={onLogOut} aria-describedby={labelId}>
          Log out
        </button>
      )}
    </li>
  );
}
