import { announcement, formatCountdown } from '@sessiond/sdk';
import { useSessionClient } from '@sessiond/sdk/react';
import { useEffect, useId, useRef, useState } from 'react';
import { Modal } from './Modal.tsx';

/**
 * "You're about to be signed out" (the HMRC / USWDS pattern): a visible countdown hidden from
 * screen readers, plus a polite live region that only changes every minute, then every 20 s.
 * Escape means stay.
 */
export function WarningDialog({ expiresAt, onSignOut }: { expiresAt: number; onSignOut: () => void }) {
  const client = useSessionClient();
  const [now, setNow] = useState(() => Date.now());
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  const stayRef = useRef<HTMLButtonElement>(null);
  const descId = useId();
  const msLeft = expiresAt - now;
  // What the dialog says when it opens is its description; later changes go to the live region.
  const [opening] = useState(() => announcement(expiresAt - Date.now()));
  const spoken = announcement(msLeft);

  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);

  const stay = async () => {
    setBusy(true);
    setFailed(!(await client.staySignedIn()));
    setBusy(false);
  };

  return (
    <Modal title="You're about to be signed out" role="alertdialog" describedBy={descId} onEscape={() => void stay()} initialFocus={stayRef} noActivity className="modal-warning">
      <p className="countdown-line" aria-hidden="true">
        For your security, we will sign you out in <strong className="countdown">{formatCountdown(msLeft)}</strong>.
      </p>
      <p id={descId} className="visually-hidden">
        {opening} Choose Stay signed in to keep working.
      </p>
      <p className="visually-hidden" role="status" aria-live="polite" aria-atomic="true">
        {spoken === opening ? '' : spoken}
      </p>
      <p className="muted">Anything you have typed on this page is kept.</p>
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
    </Modal>
  );
}
