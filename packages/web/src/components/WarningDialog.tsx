import { announcement, askNotificationPermission, formatCountdown, liveAnnouncement, notificationPermission } from '@sessiond/sdk';
import { useSessionClient } from '@sessiond/sdk/react';
import { useEffect, useId, useRef, useState } from 'react';
import { Modal } from './Modal.tsx';

/**
 * "You're about to be signed out" (the HMRC / USWDS pattern): a visible countdown hidden from
 * screen readers; a description that says the same time in 10-second steps; a polite live region
 * that speaks on each change of minute, then every 10 s (`countdown.ts`). Escape means stay.
 * "Notify me before I'm signed out" asks for the notification permission, only on this click
 * (SPEC §14); it is not offered when notifications are unsupported, denied or already allowed.
 */
export function WarningDialog({ expiresAt, onSignOut }: { expiresAt: number; onSignOut: () => void }) {
  const client = useSessionClient();
  const [now, setNow] = useState(() => Date.now());
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  const stayRef = useRef<HTMLButtonElement>(null);
  const descId = useId();
  const msLeft = expiresAt - now;
  const [permission, setPermission] = useState(notificationPermission);
  // The dialog's description is read when it opens; the live region speaks only later changes.
  const [opening] = useState(() => liveAnnouncement(expiresAt - Date.now()));
  const spoken = liveAnnouncement(msLeft);

  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);

  const stay = async () => {
    setBusy(true);
    setFailed(!(await client.staySignedIn()));
    setBusy(false);
  };

  const askToNotify = async () => {
    setPermission(await askNotificationPermission());
    // The button goes away with the answer: keep focus inside the dialog.
    stayRef.current?.focus();
  };

  return (
    <Modal title="You're about to be signed out" role="alertdialog" describedBy={descId} onEscape={() => void stay()} initialFocus={stayRef} noActivity className="modal-warning">
      <p className="countdown-line" aria-hidden="true">
        For your security, we will sign you out in <strong className="countdown">{formatCountdown(msLeft)}</strong>.
      </p>
      <p id={descId} className="visually-hidden">
        {announcement(msLeft)} Choose Stay signed in to keep working.
      </p>
      <p className="visually-hidden" role="status" aria-live="polite" aria-atomic="true">
        {spoken === opening ? '' : spoken}
      </p>
      <p className="muted">Anything you have typed on this page is kept.</p>
      {permission === 'granted' && <p className="muted">If this tab is in the background, we will notify you before you are signed out.</p>}
      {failed && (
        <p className="notice notice-error" role="alert">
          We could not reach the server. Check your connection and try again.
        </p>
      )}
      <div className="actions">
        <button ref={stayRef} type="button" className="button button-primary" onClick={() => void stay()} disabled={busy}>
          Stay signed in
        </button>
        <button type="button" className="button button-secondary" onClick={onSignOut} disabled={busy}>
          Sign out
        </button>
      </div>
      {permission === 'default' && (
        <p className="notify-line">
          <button type="button" className="button button-quiet button-small" onClick={() => void askToNotify()} disabled={busy}>
            Notify me before I'm signed out
          </button>
        </p>
      )}
    </Modal>
  );
}
