import { ApiError, type SessionView } from '@sessiond/sdk';
import { useSessionClient, useSessionEvent } from '@sessiond/sdk/react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { PageHeading } from '../components/Page.tsx';
import { SessionRow } from '../components/SessionRow.tsx';
import { LogOutAllDialog, LogOutSessionDialog } from '../components/SessionDialogs.tsx';
import { RecentActivity } from '../components/RecentActivity.tsx';
import { TwoStepSection } from '../components/TwoStepSection.tsx';
import { Field } from '../components/Field.tsx';

const POLL_MS = 30_000;

/** Settings › Security › Active sessions (SPEC §6). */
export function SessionsPage() {
  const client = useSessionClient();
  const [sessions, setSessions] = useState<SessionView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<SessionView | null>(null);
  const [confirmingAll, setConfirmingAll] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const listHeading = useRef<HTMLHeadingElement>(null);

  /** `passive`: refreshes nobody asked for must not keep the session alive. */
  const load = useCallback(
    async (passive: boolean) => {
      try {
        setSessions(await client.listSessions({ passive }));
        setError(null);
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 401)) setError('We could not load your sessions. Check your connection; we will keep trying.');
      }
    },
    [client],
  );

  useEffect(() => {
    void load(false);
    const timer = setInterval(() => document.visibilityState === 'visible' && void load(true), POLL_MS);
    return () => clearInterval(timer);
  }, [load]);
  useSessionEvent('sessionsChanged', () => void load(true));
  useSessionEvent('signedIn', () => void load(true));

  /** Ending sessions needs a recent sign-in; when the server asks, confirm the password and go on. */
  const [reauth, setReauth] = useState<{ retry: () => Promise<void> } | null>(null);
  const needsReauth = (e: unknown, retry: () => Promise<void>) => {
    if (e instanceof ApiError && e.code === 'reauth_required') {
      setError(null);
      setReauth({ retry });
      return true;
    }
    return false;
  };
  const confirmPassword = async (password: string) => {
    const res = await client.fetch('/v1/session/reauth', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password }) });
    if (!res.ok) {
      const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
      setError(body?.error?.message ?? 'Your password could not be checked. Please try again.');
      return;
    }
    const next = reauth;
    setReauth(null);
    await next?.retry();
  };

  const logOut = async (s: SessionView, forgetDevice: boolean) => {
    setConfirming(null);
    // The row leaves at once; it comes back only if the server refuses.
    setSessions((list) => list?.filter((x) => x.id !== s.id) ?? null);
    // Its Log out button is gone with it: give focus a sensible place to land.
    requestAnimationFrame(() => listHeading.current?.focus());
    try {
      await client.revokeSession(s.id, { forgetDevice });
      setAnnouncement(`${s.device.label} was logged out${forgetDevice ? ' and removed from your trusted devices' : ''}.`);
    } catch (e) {
      if (needsReauth(e, () => logOut(s, forgetDevice))) return void load(true);
      if (!(e instanceof ApiError && e.code === 'not_found')) setError(e instanceof ApiError ? e.message : 'That session could not be logged out. Please try again.');
      void load(true);
    }
  };

  const logOutAll = async () => {
    try {
      await client.revokeAllSessions();
    } catch (e) {
      setConfirmingAll(false);
      if (needsReauth(e, logOutAll)) return;
      setError(e instanceof ApiError ? e.message : 'We could not log out your sessions. Please try again.');
    }
  };

  const others = sessions?.filter((s) => !s.current).length ?? 0;
  return (
    <div className="page">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <ol>
          <li>Settings</li>
          <li>Security</li>
          <li aria-current="page">Active sessions</li>
        </ol>
      </nav>
      <div className="page-head">
        <div>
          <PageHeading title="Active sessions" />
          <p className="muted lead-small">
            Everywhere your account is signed in. Logging a session out takes effect within a second, and whoever uses it is told why.
          </p>
        </div>
        <button type="button" className="button button-danger-outline" onClick={() => setConfirmingAll(true)} disabled={!sessions}>
          Log out of all sessions
        </button>
      </div>
      {error && (
        <div className="notice notice-error" role="alert">
          {error}
        </div>
      )}
      <p className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </p>
      {sessions === null ? (
        <p className="loading">Loading sessions…</p>
      ) : (
        <>
          <h2 className="section-title" ref={listHeading} tabIndex={-1}>
            {sessions.length} {sessions.length === 1 ? 'session' : 'sessions'}
            {others > 0 && <span className="muted"> · {others} on other devices or apps</span>}
          </h2>
          <ul className="session-list">
            {sessions.map((s) => (
              <SessionRow key={s.id} session={s} onLogOut={() => setConfirming(s)} />
            ))}
          </ul>
        </>
      )}
      {reauth && (
        <form
          className="card reauth"
          onSubmit={(e) => {
            e.preventDefault();
            void confirmPassword(String(new FormData(e.currentTarget).get('password') ?? ''));
          }}
        >
          <p>For your security, confirm your password to log sessions out.</p>
          <Field label="Password" name="password" type="password" autoComplete="current-password" required autoFocus />
          <div className="actions">
            <button type="submit" className="button button-primary">
              Confirm password
            </button>
            <button type="button" className="button button-quiet" onClick={() => setReauth(null)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      <RecentActivity />
      <TwoStepSection />
      {confirming && <LogOutSessionDialog session={confirming} onCancel={() => setConfirming(null)} onConfirm={(forget) => void logOut(confirming, forget)} />}
      {confirmingAll && <LogOutAllDialog count={sessions?.length ?? 0} onCancel={() => setConfirmingAll(false)} onConfirm={() => void logOutAll()} />}
    </div>
  );
}
