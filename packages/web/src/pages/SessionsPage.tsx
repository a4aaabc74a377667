import { ApiError, type SessionView } from '@sessiond/sdk';
import { useSession, useSessionClient, useSessionEvent } from '@sessiond/sdk/react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { withBase } from '../base-path.ts';
import { groupByBrowser, type BrowserGroup } from '../browser-groups.ts';
import { PageHeading } from '../components/Page.tsx';
import { SessionRow } from '../components/SessionRow.tsx';
import { LogOutAllDialog, LogOutOthersDialog, LogOutSessionDialog } from '../components/SessionDialogs.tsx';
import { RecentActivity } from '../components/RecentActivity.tsx';
import { TwoStepSection } from '../components/TwoStepSection.tsx';
import { Field } from '../components/Field.tsx';
import { ConfirmAtProvider, stepUpOutcomeMessage } from '../components/SsoButtons.tsx';
import { useLocation } from '../router.tsx';

const POLL_MS = 30_000;

/** Settings › Security › Active sessions (SPEC §6). */
export function SessionsPage() {
  const client = useSessionClient();
  // An SSO account has no password here: its step-up is a fresh sign-in at its provider.
  const sso = useSession().session?.sso ?? null;
  // Back from a step-up at the provider that confirmed no one (this page is `next` for this page's
  // and the two-step section's step-ups); `sso` is the session's, so its label is the provider's.
  const stepUpOutcome = stepUpOutcomeMessage(useLocation().searchParams.get('stepup'), sso?.label ?? null);
  const [sessions, setSessions] = useState<SessionView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<BrowserGroup | null>(null);
  const [confirmingAll, setConfirmingAll] = useState(false);
  const [confirmingOthers, setConfirmingOthers] = useState(false);
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
    const res = await client.fetch(withBase('/v1/session/reauth'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password }) });
    if (!res.ok) {
      const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
      setError(body?.error?.message ?? 'Your password could not be checked. Please try again.');
      return;
    }
    const next = reauth;
    setReauth(null);
    await next?.retry();
  };

  /** Ends every session of one browser row (or the one session of a row no browser cookie came with). */
  const logOut = async (row: BrowserGroup, forgetDevice: boolean) => {
    setConfirming(null);
    const ids = new Set(row.sessions.map((x) => x.id));
    // The row leaves at once; it comes back only if the server refuses.
    setSessions((list) => list?.filter((x) => !ids.has(x.id)) ?? null);
    // Its Log out button is gone with it: give focus a sensible place to land.
    requestAnimationFrame(() => listHeading.current?.focus());
    try {
      if (row.browserId) await client.revokeBrowser(row.browserId, { forgetDevice });
      else await client.revokeSession(row.latest.id, { forgetDevice });
      setAnnouncement(`${row.latest.device.label} was logged out${forgetDevice ? ' and removed from your trusted devices' : ''}.`);
    } catch (e) {
      if (needsReauth(e, () => logOut(row, forgetDevice))) return void load(true);
      if (!(e instanceof ApiError && e.code === 'not_found')) setError(e instanceof ApiError ? e.message : 'That session could not be logged out. Please try again.');
      void load(true);
    }
  };

  const logOutOthers = async () => {
    setConfirmingOthers(false);
    try {
      const ended = await client.revokeOtherSessions();
      setAnnouncement(`${ended} other ${ended === 1 ? 'session was' : 'sessions were'} logged out.`);
    } catch (e) {
      if (needsReauth(e, logOutOthers)) return;
      setError(e instanceof ApiError ? e.message : 'We could not log out your other sessions. Please try again.');
    }
    void load(true);
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

  const rows = useMemo(() => (sessions ? groupByBrowser(sessions) : null), [sessions]);
  const others = sessions?.filter((s) => !s.current).length ?? 0;
  const otherBrowsers = rows?.filter((r) => !r.current).length ?? 0;
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
        <div className="page-actions">
          <button type="button" className="button button-secondary" onClick={() => setConfirmingOthers(true)} disabled={others === 0}>
            Log out of other sessions
          </button>
          <button type="button" className="button button-danger-outline" onClick={() => setConfirmingAll(true)} disabled={!sessions}>
            Log out of all sessions
          </button>
        </div>
      </div>
      {stepUpOutcome && (
        <div className="notice notice-info" role="status">
          {stepUpOutcome}
        </div>
      )}
      {error && (
        <div className="notice notice-error" role="alert">
          {error}
        </div>
      )}
      <p className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </p>
      {rows === null ? (
        <p className="loading">Loading sessions…</p>
      ) : (
        <>
          <h2 className="section-title" ref={listHeading} tabIndex={-1}>
            {rows.length} {rows.length === 1 ? 'browser or device' : 'browsers and devices'}
            {otherBrowsers > 0 && <span className="muted"> · {others} {others === 1 ? 'session' : 'sessions'} elsewhere</span>}
          </h2>
          <ul className="session-list">
            {rows.map((row) => (
              <SessionRow key={row.key} row={row} onLogOut={() => setConfirming(row)} />
            ))}
          </ul>
        </>
      )}
      {reauth && sso && <ConfirmAtProvider sso={sso} purpose="log sessions out" next="/settings/security/sessions" onCancel={() => setReauth(null)} />}
      {reauth && !sso && (
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
      {confirming && <LogOutSessionDialog row={confirming} onCancel={() => setConfirming(null)} onConfirm={(forget) => void logOut(confirming, forget)} />}
      {confirmingOthers && <LogOutOthersDialog count={others} onCancel={() => setConfirmingOthers(false)} onConfirm={() => void logOutOthers()} />}
      {confirmingAll && <LogOutAllDialog count={sessions?.length ?? 0} onCancel={() => setConfirmingAll(false)} onConfirm={() => void logOutAll()} />}
    </div>
  );
}
