import { useSession, useSessionClient } from '@sessiond/sdk/react';
import { Fragment, useState, type FormEvent } from 'react';
import { withBase } from '../base-path.ts';
import { Field } from './Field.tsx';
import { ConfirmAtProvider } from './SsoButtons.tsx';

type Step = { kind: 'idle' } | { kind: 'confirm-password'; then: () => Promise<void> } | { kind: 'scan'; secret: string; qrCode: string } | { kind: 'codes'; codes: string[] };

interface ApiAnswer {
  status: number;
  json: { error?: { code: string; message: string } } & Record<string, unknown>;
}

/**
 * Two-step sign-in: set up with a QR code, turn on with a code, keep the recovery codes, turn off.
 * Changing a factor needs a recent sign-in: when the server asks, the password is confirmed here,
 * or, for a session from an organisation's sign-in, at its provider.
 */
export function TwoStepSection() {
  const client = useSessionClient();
  const { user, session } = useSession();
  const sso = session?.sso ?? null;
  const [enabled, setEnabled] = useState<boolean | null>(null);
  const [step, setStep] = useState<Step>({ kind: 'idle' });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const isOn = enabled ?? user?.totpEnabled ?? false;

  const call = async (path: string, body: unknown = {}): Promise<ApiAnswer> => {
    const res = await client.fetch(withBase(path), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, json: (await res.json().catch(() => ({}))) as ApiAnswer['json'] };
  };

  /** Runs a step; when the server wants a fresh sign-in, asks for the password and runs it again. */
  const run = async (fn: () => Promise<ApiAnswer | void>) => {
    setBusy(true);
    setError(null);
    try {
      const r = await fn();
      if (r && r.json.error?.code === 'reauth_required') setStep({ kind: 'confirm-password', then: async () => void (await run(fn)) });
      else if (r && r.json.error) setError(r.json.error.message);
    } catch {
      setError('Something went wrong. Check your connection and try again.');
    } finally {
      setBusy(false);
    }
  };

  const start = () =>
    run(async () => {
      const r = await call('/v1/totp/setup');
      if (r.status === 200) setStep({ kind: 'scan', secret: String(r.json.secret), qrCode: String(r.json.qrCode) });
      return r;
    });

  const submit = (e: FormEvent<HTMLFormElement>, action: 'enable' | 'disable' | 'reauth') => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    if (action === 'reauth') {
      const then = step.kind === 'confirm-password' ? step.then : null;
      return void run(async () => {
        const r = await call('/v1/session/reauth', { password: String(data.get('password') ?? '') });
        if (r.status === 200) {
          setStep({ kind: 'idle' });
          await then?.();
        }
        return r;
      });
    }
    const code = String(data.get('code') ?? '').trim();
    void run(async () => {
      const r = await call(`/v1/totp/${action}`, { code });
      if (r.status === 200 && action === 'enable') {
        setEnabled(true);
        setStep({ kind: 'codes', codes: (r.json.recoveryCodes as string[]) ?? [] });
      } else if (r.status === 200) {
        setEnabled(false);
        setStep({ kind: 'idle' });
      }
      return r;
    });
  };

  return (
    <section className="card two-step" aria-labelledby="two-step-title">
      <h2 id="two-step-title" className="section-title">
        Two-step sign-in
      </h2>
      <p className="muted">{isOn ? 'On: signing in asks for a code from your authenticator app.' : 'Off: add a code from an authenticator app to your password.'}</p>
      {error && (
        <div className="notice notice-error" role="alert">
          {error}
        </div>
      )}
      {step.kind === 'confirm-password' && sso && (
        <ConfirmAtProvider sso={sso} purpose="change two-step sign-in" next="/settings/security/sessions" onCancel={() => setStep({ kind: 'idle' })} />
      )}
      {step.kind === 'confirm-password' && !sso && (
        <form onSubmit={(e) => submit(e, 'reauth')}>
          <p>For your security, confirm your password to change two-step sign-in.</p>
          <Field label="Password" name="password" type="password" autoComplete="current-password" required />
          <button type="submit" className="button button-primary" disabled={busy}>
            Confirm password
          </button>
        </form>
      )}
      {step.kind === 'idle' && !isOn && (
        <button type="button" className="button button-primary" onClick={() => void start()} disabled={busy}>
          Set up two-step sign-in
        </button>
      )}
      {step.kind === 'scan' && (
        <form onSubmit={(e) => submit(e, 'enable')}>
          <p>Scan this code with your authenticator app, or enter the key by hand, then type the 6-digit code it shows.</p>
          <img className="qr" src={step.qrCode} alt="QR code for your authenticator app" width={200} height={200} />
          <p>
            Key: <code>{step.secret}</code>
          </p>
          <Field label="Authentication code" name="code" inputMode="numeric" autoComplete="one-time-code" required />
          <button type="submit" className="button button-primary" disabled={busy}>
            Turn on two-step sign-in
          </button>
        </form>
      )}
      {step.kind === 'codes' && (
        <div className="notice notice-success" role="status">
          <p>Two-step sign-in is on. Keep these recovery codes somewhere safe; each works once if you lose your phone.</p>
          <ul className="recovery-codes">
            {step.codes.map((c) => (
              <li key={c}>
                <RecoveryCode code={c} />
              </li>
            ))}
          </ul>
          <button type="button" className="button button-quiet" onClick={() => setStep({ kind: 'idle' })}>
            I have saved them
          </button>
        </div>
      )}
      {step.kind === 'idle' && isOn && (
        <form onSubmit={(e) => submit(e, 'disable')}>
          <Field label="Authentication code" name="code" autoComplete="one-time-code" hint="A code from your app, or a recovery code." required />
          <button type="submit" className="button button-danger-outline" disabled={busy}>
            Turn off two-step sign-in
          </button>
        </form>
      )}
    </section>
  );
}

/** On a narrow screen a code wraps after a dash, never inside a group; copying keeps it whole. */
function RecoveryCode({ code }: { code: string }) {
  return (
    <code>
      {code.split('-').map((group, i) => (
        <Fragment key={i}>
          {i > 0 && '-'}
          {i > 0 && <wbr />}
          {group}
        </Fragment>
      ))}
    </code>
  );
}
