import { ApiError, DRAFT_ATTRIBUTE, newIdempotencyKey, type DraftValue } from '@sessiond/sdk';
import { useDraft, useSession, useSessionClient } from '@sessiond/sdk/react';
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { Field, SelectField, TextAreaField } from '../components/Field.tsx';
import { withBase } from '../base-path.ts';
import { PageHeading } from '../components/Page.tsx';
import { formatTime } from '../format.ts';
import { CATEGORIES, CURRENCIES, DEPARTMENTS, DRAFT_NAME, newRowId, readReport, rowsInDraft } from './expense-form.ts';
import { reportFields, ReportOnServer, type KeepResult, type KeptReport } from './report-on-server.ts';

type Status = { kind: 'idle' } | { kind: 'sending' } | { kind: 'done'; text: string } | { kind: 'error'; text: string };
/**
 * What the form starts from: this browser's draft when there is one (it has every keystroke; the
 * kept copy follows it by a moment), else the copy kept with the session (the draft was removed).
 */
type Start = { from: 'draft' | 'session'; savedAt: number; fields: Record<string, DraftValue> };
/** The copy on the server: when it was last kept, or why it could not be. */
type Kept = { kind: 'none' } | { kind: 'saved'; at: number } | { kind: Exclude<KeepResult, 'saved'> };

const KEEP_AFTER_MS = 600;

const text = (v: DraftValue | undefined, fallback = '') => (typeof v === 'string' ? v : fallback);

/**
 * The demo app: a long expense report. Drafts are saved in this browser as you type (the form is
 * marked for the SDK), and the report is also kept with the session on the server (session data,
 * SPEC §13), which an idle or absolute timeout hands to this person's next sign-in from this
 * browser. The submit goes through the SDK's fetch, so a session that ended in the meantime means
 * a sign-in in place and then the same request, once.
 */
export function DemoPage() {
  const client = useSessionClient();
  const userId = useSession().user?.id ?? null;
  const server = useMemo(() => new ReportOnServer(client.sessionData), [client]);
  const draft = useDraft(DRAFT_NAME);
  const [kept, setKept] = useState<{ userId: string; report: KeptReport | null } | null>(null);
  useEffect(() => {
    if (!userId) return;
    let current = true;
    void server.read().then(
      (report) => current && setKept({ userId, report }),
      () => current && setKept({ userId, report: null }),
    );
    return () => {
      current = false;
    };
  }, [server, userId]);
  // Drafts are sealed: the form is built once the key has opened them, so it takes its shape from the draft.
  if (draft === undefined || (userId !== null && kept?.userId !== userId)) {
    return (
      <p className="loading" role="status">
        Loading…
      </p>
    );
  }
  const report = kept?.report ?? null;
  const start: Start | null = draft ? { from: 'draft', ...draft } : report ? { from: 'session', savedAt: report.savedAt, fields: report.fields } : null;
  return <ExpenseReportForm start={start} server={server} />;
}

function keptLine(kept: Kept): string {
  switch (kept.kind) {
    case 'saved':
      return `Kept with your session on the server at ${formatTime(kept.at)}.`;
    case 'too-large':
      return 'Too long to keep with your session on the server; your draft in this browser has it all.';
    case 'failed':
      return 'Could not keep it with your session on the server just now; your draft in this browser has it.';
    case 'none':
      return '';
  }
}

function ExpenseReportForm({ start, server }: { start: Start | null; server: ReportOnServer }) {
  const client = useSessionClient();
  const sessionId = useSession().session?.id ?? null;
  const [formKey, setFormKey] = useState(0);
  const [defaults, setDefaults] = useState<Record<string, DraftValue>>(() => start?.fields ?? {});
  const [restored, setRestored] = useState<Omit<Start, 'fields'> | null>(() => (start ? { from: start.from, savedAt: start.savedAt } : null));
  const [rows, setRows] = useState<string[]>(() => {
    const saved = rowsInDraft(start?.fields);
    return saved.length > 0 ? saved : [newRowId()];
  });
  const [kept, setKept] = useState<Kept>(() => (start?.from === 'session' ? { kind: 'saved', at: start.savedAt } : { kind: 'none' }));
  /** Set when a sign-in in place started a new session and the kept report was in it. */
  const [carriedAt, setCarriedAt] = useState<number | null>(null);
  const keepTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const seenSession = useRef(sessionId);
  const [total, setTotal] = useState({ amount: 0, currency: text(defaults.currency, 'EUR') });
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const form = useRef<HTMLFormElement>(null);
  const rowsEditedByUser = useRef(false);
  // One key per report: a resend after re-sign-in, or a second click after a timeout, files it once.
  const idempotencyKey = useRef(newIdempotencyKey());

  const recompute = () => {
    if (!form.current) return;
    const r = readReport(form.current, rows);
    setTotal({ amount: r.items.reduce((sum, i) => sum + i.amount, 0), currency: r.currency || 'EUR' });
  };
  useEffect(recompute, [rows, formKey]);

  const keepNow = () => {
    clearTimeout(keepTimer.current);
    if (!form.current) return;
    const at = Date.now();
    void server.keep({ savedAt: at, fields: reportFields(form.current) }).then((r) => setKept(r === 'saved' ? { kind: 'saved', at } : { kind: r }));
  };
  const keepSoon = () => {
    clearTimeout(keepTimer.current);
    keepTimer.current = setTimeout(keepNow, KEEP_AFTER_MS);
  };
  useEffect(() => () => clearTimeout(keepTimer.current), []);

  // Signed in again in place (the same person: anyone else gets a fresh page): a new session,
  // which starts with the kept report only if the last one ran out of time.
  useEffect(() => {
    if (sessionId === null || sessionId === seenSession.current) return;
    const was = seenSession.current;
    seenSession.current = sessionId;
    if (was === null) return;
    void server.read().then(
      (report) => {
        setCarriedAt(report?.savedAt ?? null);
        setKept(report ? { kind: 'saved', at: report.savedAt } : { kind: 'none' });
      },
      () => {},
    );
  }, [sessionId, server]);

  useEffect(() => {
    if (!rowsEditedByUser.current || !form.current) return;
    rowsEditedByUser.current = false;
    // Adding or removing a row fires no input event, so save the draft (and keep the report) here.
    void client.drafts.save(form.current);
    keepSoon();
    form.current.querySelector<HTMLInputElement>(`[name="item-${rows[rows.length - 1]}-date"]`)?.focus();
  }, [rows, client]);

  const addRow = () => {
    rowsEditedByUser.current = true;
    setRows((r) => [...r, newRowId()]);
  };
  const removeRow = (id: string) => {
    rowsEditedByUser.current = true;
    setRows((r) => r.filter((x) => x !== id));
  };

  const startOver = () => {
    client.drafts.erase(DRAFT_NAME);
    clearTimeout(keepTimer.current);
    void server.keep(null).then(() => setKept({ kind: 'none' }));
    setCarriedAt(null);
    setDefaults({});
    setRestored(null);
    setRows([newRowId()]);
    setFormKey((k) => k + 1);
    idempotencyKey.current = newIdempotencyKey();
  };

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const report = readReport(e.currentTarget, rows);
    setStatus({ kind: 'sending' });
    try {
      const res = await client.fetch(withBase('/v1/demo/expense-reports'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey.current },
        body: JSON.stringify(report),
      });
      if (res.status !== 201) throw await ApiError.fromResponse(res);
      const { id, duplicate } = (await res.json()) as { id: string; duplicate: boolean };
      startOver();
      setStatus({
        kind: 'done',
        text: duplicate ? `“${report.title}” had already reached us (reference ${id}); it was not filed twice.` : `Report “${report.title}” was submitted. Reference ${id}.`,
      });
    } catch (err) {
      setStatus({ kind: 'error', text: `${err instanceof ApiError ? err.message : 'The report could not be sent.'} Your draft is still saved in this browser.` });
    }
  };

  const money = new Intl.NumberFormat(undefined, { style: 'currency', currency: total.currency });
  return (
    <div className="page">
      <PageHeading title="New expense report" />
      <p className="muted lead-small">
        This demo keeps everything you type as a draft in this browser, and the report with your session on the server, so an expired session never costs you your work.
      </p>
      {carriedAt !== null && (
        <p className="notice notice-info">Your report was still with your session on the server when you signed in again (kept at {formatTime(carriedAt)}).</p>
      )}
      {restored !== null && (
        <div className="notice notice-info notice-row">
          <span>{restored.from === 'session' ? `We restored your report from your session on the server, kept at ${formatTime(restored.savedAt)}.` : `We restored your unsaved draft from ${formatTime(restored.savedAt)}.`}</span>
          <button type="button" className="button button-quiet button-small" onClick={startOver}>
            Discard draft
          </button>
        </div>
      )}
      <div role="status" className={status.kind === 'done' ? 'notice notice-success' : status.kind === 'error' ? 'notice notice-error' : 'visually-hidden'}>
        {status.kind === 'done' || status.kind === 'error' ? status.text : status.kind === 'sending' ? 'Sending…' : ''}
      </div>
      <form key={formKey} ref={form} className="card form-card" onSubmit={submit} onInput={() => {
          recompute();
          keepSoon();
        }} {...{ [DRAFT_ATTRIBUTE]: DRAFT_NAME }}>
        <section className="form-section" aria-labelledby="details-title">
          <h2 id="details-title" className="section-title">
            Trip details
          </h2>
          <div className="grid-2">
            <Field label="Report title" name="title" required defaultValue={text(defaults.title)} className="span-2" />
            <SelectField label="Department" name="department" options={DEPARTMENTS} defaultValue={text(defaults.department, DEPARTMENTS[0])} />
            <Field label="Cost center" name="costCenter" hint="For example CC-1042" defaultValue={text(defaults.costCenter)} />
            <Field label="Trip start" name="tripStart" type="date" defaultValue={text(defaults.tripStart)} />
            <Field label="Trip end" name="tripEnd" type="date" defaultValue={text(defaults.tripEnd)} />
            <SelectField label="Currency" name="currency" options={CURRENCIES} defaultValue={text(defaults.currency, 'EUR')} />
            <TextAreaField label="Business purpose" name="purpose" required rows={3} defaultValue={text(defaults.purpose)} className="span-2" />
          </div>
        </section>

        <section className="form-section" aria-labelledby="items-title">
          <h2 id="items-title" className="section-title">
            Expense items
          </h2>
          <ol className="items">
            {rows.map((r, i) => (
              <li key={r}>
                <fieldset className="item">
                  <legend className="item-legend">Item {i + 1}</legend>
                  <Field label="Date" name={`item-${r}-date`} type="date" defaultValue={text(defaults[`item-${r}-date`])} className="item-date" />
                  <Field label="Description" name={`item-${r}-description`} required defaultValue={text(defaults[`item-${r}-description`])} className="item-description" />
                  <SelectField label="Category" name={`item-${r}-category`} options={CATEGORIES} defaultValue={text(defaults[`item-${r}-category`], CATEGORIES[0])} />
                  <Field label="Amount" name={`item-${r}-amount`} inputMode="decimal" required pattern="[0-9]+([.,][0-9]{1,2})?" defaultValue={text(defaults[`item-${r}-amount`])} className="item-amount" />
                  {rows.length > 1 && (
                    <button type="button" className="button button-quiet button-small item-remove" onClick={() => removeRow(r)} aria-label={`Remove item ${i + 1}`}>
                      Remove
                    </button>
                  )}
                </fieldset>
              </li>
            ))}
          </ol>
          <button type="button" className="button button-secondary button-small" onClick={addRow}>
            Add item
          </button>
        </section>

        <section className="form-section" aria-labelledby="notes-title">
          <h2 id="notes-title" className="section-title">
            Notes for your approver
          </h2>
          <TextAreaField label="Notes (optional)" name="notes" rows={3} defaultValue={text(defaults.notes)} />
        </section>

        <div className="form-footer">
          <p className="muted kept-line">{keptLine(kept)}</p>
          <p className="total">
            Total <strong>{money.format(total.amount)}</strong>
          </p>
          <button type="submit" className="button button-primary" disabled={status.kind === 'sending'}>
            {status.kind === 'sending' ? 'Submitting…' : 'Submit report'}
          </button>
        </div>
      </form>
    </div>
  );
}
