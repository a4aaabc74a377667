import { useEffect, useId, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode, type RefObject } from 'react';
import { createPortal } from 'react-dom';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export interface ModalProps {
  title: string;
  /** `alertdialog` for interruptions that need an answer (the timeout warning). */
  role?: 'dialog' | 'alertdialog';
  /** Id of the element that describes the dialog. */
  describedBy?: string;
  /** Escape: omit when the dialog cannot be dismissed. */
  onEscape?: () => void;
  /** Where focus goes first; default the first control. */
  initialFocus?: RefObject<HTMLElement | null>;
  /** The dialog's own buttons decide; clicks inside are not activity for the SDK. */
  noActivity?: boolean;
  className?: string;
  children: ReactNode;
}

/**
 * A modal dialog (WAI-ARIA APG): labelled by its heading, everything else made `inert` (out of
 * reach of focus and of assistive technology), focus kept inside with Tab, and focus returned to
 * where it was when the dialog closes.
 */
export function Modal({ title, role = 'dialog', describedBy, onEscape, initialFocus, noActivity, className, children }: ModalProps) {
  const titleId = useId();
  const dialog = useRef<HTMLDivElement>(null);
  const [host] = useState(() => document.createElement('div'));

  useLayoutEffect(() => {
    document.body.appendChild(host);
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    // Everything but this dialog becomes inert, including a dialog that was open below it.
    const silenced = Array.from(document.body.children).filter((el): el is HTMLElement => el !== host && el instanceof HTMLElement && !el.inert);
    for (const el of silenced) el.inert = true;
    const first = initialFocus?.current ?? dialog.current?.querySelector<HTMLElement>('[data-autofocus]') ?? dialog.current?.querySelector<HTMLElement>(FOCUSABLE) ?? dialog.current;
    first?.focus();
    return () => {
      for (const el of silenced) el.inert = false;
      host.remove();
      if (previous?.isConnected) previous.focus();
    };
    // Runs once per opening: the dialog's identity is its lifetime.
  }, []);

  useEffect(() => {
    // Focus can still escape to the browser chrome and come back elsewhere: pull it back in.
    const onFocusIn = (e: FocusEvent) => {
      if (dialog.current && e.target instanceof Node && !dialog.current.contains(e.target) && !host.contains(e.target)) dialog.current.focus();
    };
    document.addEventListener('focusin', onFocusIn);
    return () => document.removeEventListener('focusin', onFocusIn);
  }, [host]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Escape' && onEscape) {
      e.stopPropagation();
      onEscape();
      return;
    }
    if (e.key !== 'Tab' || !dialog.current) return;
    const items = Array.from(dialog.current.querySelectorAll<HTMLElement>(FOCUSABLE));
    if (items.length === 0) return e.preventDefault();
    const first = items[0]!;
    const last = items[items.length - 1]!;
    if (e.shiftKey && (document.activeElement === first || document.activeElement === dialog.current)) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };

  return createPortal(
    <div className="modal-backdrop">
      <div
        ref={dialog}
        role={role}
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={describedBy}
        tabIndex={-1}
        className={`modal ${className ?? ''}`}
        onKeyDown={onKeyDown}
        {...(noActivity ? { 'data-sessiond-no-activity': '' } : {})}
      >
        <h2 id={titleId} className="modal-title">
          {title}
        </h2>
        {children}
      </div>
    </div>,
    host,
  );
}
