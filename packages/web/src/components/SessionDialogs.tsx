import { useId } from 'react';
import type { BrowserGroup } from '../browser-groups.ts';
import { formatLastActive } from '../format.ts';
import { Modal } from './Modal.tsx';
import { appsOf } from './SessionRow.tsx';

/** Confirms ending every session of one other browser; a trusted device can also be forgotten. */
export function LogOutSessionDialog({ row, onCancel, onConfirm }: { row: BrowserGroup; onCancel: () => void; onConfirm: (forgetDevice: boolean) => void }) {
  const descId = useId();
  const s = row.latest;
  const n = row.sessions.length;
  return (
    <Modal title={`Log out ${s.device.label}?`} describedBy={descId} onEscape={onCancel}>
      <div id={descId} className="stack-small">
        <p>
          <strong>{s.device.label}</strong> ({appsOf(row)}, {formatLastActive(s.lastActiveAt).toLowerCase()}) will be signed out within a second
          {n > 1 ? `, all ${n} of its sessions` : ''}. Whoever is using it will be told why and asked to sign in again.
        </p>
        {row.trusted && (
          <p className="muted">
            This is a trusted device. <strong>Log out and remove</strong> also stops it from being trusted, so the next sign-in there is a full one.
          </p>
        )}
      </div>
      <div className="actions">
        <button type="button" className="button button-quiet" onClick={onCancel} data-autofocus="">
          Cancel
        </button>
        <button type="button" className={`button ${row.trusted ? 'button-secondary' : 'button-danger'}`} onClick={() => onConfirm(false)}>
          Log out
        </button>
        {row.trusted && (
          <button type="button" className="button button-danger" onClick={() => onConfirm(true)}>
            Log out and remove
          </button>
        )}
      </div>
    </Modal>
  );
}

/** Confirms ending every session but this one. */
export function LogOutOthersDialog({ count, onCancel, onConfirm }: { count: number; onCancel: () => void; onConfirm: () => void }) {
  const descId = useId();
  return (
    <Modal title="Log out of other sessions?" describedBy={descId} onEscape={onCancel}>
      <p id={descId}>
        {count} other {count === 1 ? 'session' : 'sessions'} will end within a second. <strong>This browser stays signed in.</strong>
      </p>
      <div className="actions">
        <button type="button" className="button button-quiet" onClick={onCancel} data-autofocus="">
          Cancel
        </button>
        <button type="button" className="button button-danger" onClick={onConfirm}>
          Log out of other sessions
        </button>
      </div>
    </Modal>
  );
}

/** Confirms ending every session, this one included. */
export function LogOutAllDialog({ count, onCancel, onConfirm }: { count: number; onCancel: () => void; onConfirm: () => void }) {
  const descId = useId();
  return (
    <Modal title="Log out of all devices" describedBy={descId} onEscape={onCancel}>
      <p id={descId}>
        All {count} {count === 1 ? 'session' : 'sessions'} will end within a second, <strong>including this one</strong>. You will need to sign in again everywhere.
      </p>
      <div className="actions">
        <button type="button" className="button button-quiet" onClick={onCancel} data-autofocus="">
          Cancel
        </button>
        <button type="button" className="button button-danger" onClick={onConfirm}>
          Log out of all devices
        </button>
      </div>
    </Modal>
  );
}
