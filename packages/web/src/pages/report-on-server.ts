import { ApiError, type SessionDataApi } from '@sessiond/sdk';

/** The report as the session keeps it on the server (SPEC §13 session data): the form's fields by name. */
export interface KeptReport {
  savedAt: number;
  fields: Record<string, string>;
}

export type KeepResult = 'saved' | 'too-large' | 'failed';

function isKeptReport(v: unknown): v is KeptReport {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Partial<KeptReport>;
  return typeof r.savedAt === 'number' && typeof r.fields === 'object' && r.fields !== null && Object.values(r.fields).every((f) => typeof f === 'string');
}

/** The form's named fields, as the draft and the kept copy name them (`item-<row>-<field>`). */
export function reportFields(form: HTMLFormElement): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of new FormData(form)) if (typeof value === 'string') fields[name] = value;
  return fields;
}

/**
 * The demo's server-side state: the report kept in the session's data, written over the version
 * last read (If-Match). An idle or absolute timeout hands it to the same person's next sign-in
 * from this browser; a sign-out does not. Calls go one at a time, so this page never conflicts
 * with itself; a conflict means another tab of this session wrote first, and the report on this
 * screen, the one the person is typing into, is written over it.
 */
export class ReportOnServer {
  private version = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly data: SessionDataApi) {}

  /** The kept report of the current session (read again after an in-place sign-in: a new session). */
  read(): Promise<KeptReport | null> {
    return this.enqueue(async () => {
      const { data, version } = await this.data.get();
      this.version = version;
      return isKeptReport(data) ? data : null;
    });
  }

  /** Keeps `report`; null empties it (filed, or started over). */
  keep(report: KeptReport | null): Promise<KeepResult> {
    return this.enqueue<KeepResult>(async () => {
      try {
        await this.write(report);
        return 'saved';
      } catch (e) {
        if (e instanceof ApiError && e.code === 'version_conflict') {
          this.version = typeof e.details?.version === 'number' ? e.details.version : (await this.data.get()).version;
          await this.write(report);
          return 'saved';
        }
        throw e;
      }
    })  .catch((e: unknown): KeepResult => (e instanceof ApiError && e.status === 413 ? 'too-large' : 'failed'));
  }

  private async write(report: KeptReport | null): Promise<void> {
    this.version = (await this.data.put(report, { ifMatch: this.version })).version;
  }

  private enqueue<T>(step: () => Promise<T>): Promise<T> {
    const next = this.queue.then(step);
    this.queue = next.catch(() => {});
    return next;
  }
}
