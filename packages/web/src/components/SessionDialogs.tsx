import type { SessionView } from '@sessiond/sdk';
import { useId } from 'react';
import { formatLastActive } from '../format.ts';
import { Modal } from './Modal.tsx';
import { appName } from './SessionRow.tsx';

/** Confirms ending one other session; a trusted device can also be forgotten. */
export function LogOutSessionDialog({ session: s, onCancel, onConfirm }: { session: SessionView; onCancel: () => void; onConfirm: (forgetDevice: boolean) => void }) {
  const descId = useId();
  return (
    <Modal title="Log out this session?" describedBy={descId} onEscape={onCancel}>
      <div id={descId} className="stack-small">
        <p>
          <strong>{s.device.label}</strong> ({appName(s.app)}, {formatLastActive(s.lastActiveAt).toLowerCase()}) will be signed out within a second. Whoever is using
          it will be told why and asked to sign in again.
        </p>
        {s.trustedDevice && (
          <p className="muted">
            This is a trusted device. <strong>Log out and remove</strong> also stops it from being trusted, so the next sign-in there is a full one.
          </p>
        )}
      </div>
      <div className="actions">
        <button type="button" className="button button-quiet" onClick={onCancel} data-autofocus="">
          Cancel
        </button>
        <button type="button" className={`button ${s.trustedDevice ? 'button-secondary' : 'button-danger'}`} onClick={() => onConfirm(false)}>
          Log out
        </button>
        {s.trustedDevice && (
          <button type="button" className="button button-danger" onClick={() => onConfirm(true)}>
            Log out and remove
          </button>
        )}
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
