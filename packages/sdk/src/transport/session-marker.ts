import { toBase64 } from '../base64.ts';

/** What the marker holds: no secret, no email, nothing that signs anyone in. */
export interface Marker {
  /** SHA-256 of the user id, shortened: whose session this browser had, without naming them. */
  who: string;
  /** The session's deadline (`expiresAt`), server time in epoch ms. */
  until: number;
  /** "Keep me signed in": the cookie was meant to outlive the browser (else it goes when it closes). */
  kept: boolean;
}

/**
 * A note in storage that this browser holds a live session until `until`. The cookie is HttpOnly,
 * so script cannot see it vanish; but when the server hears no cookie at all while the note says
 * the session still had time, the browser (or an extension) removed the cookie: the only ending the
 * note exists to explain. It goes with any ending the page learns of.
 */
export class SessionMarker {
  private written: string | null = null;
  private whoOf = new Map<string, Promise<string>>();

  constructor(
    private readonly storage: Storage | null,
    private readonly key: string,
  ) {}

  read(): Marker | null {
    try {
      const raw = this.storage?.getItem(this.key);
      if (!raw) return null;
      const m = JSON.parse(raw) as Partial<Marker>;
      return typeof m.who === 'string' && typeof m.until === 'number' ? { who: m.who, until: m.until, kept: m.kept === true } : null;
    } catch {
      return null;
    }
  }

  async write(userId: string, until: number, kept: boolean): Promise<void> {
    const who = await this.hash(userId);
    const value = JSON.stringify({ who, until, kept } satisfies Marker);
    if (value === this.written) return;
    this.written = value;
    try {
      this.storage?.setItem(this.key, value);
    } catch {
      // Storage blocked or full: only the explanation of a removed cookie is lost.
    }
  }

  clear(): void {
    if (this.written === null && !this.read()) return;
    this.written = null;
    try {
      this.storage?.removeItem(this.key);
    } catch {
      // As above.
    }
  }

  private hash(userId: string): Promise<string> {
    let h = this.whoOf.get(userId);
    if (!h) {
      h = crypto.subtle.digest('SHA-256', new TextEncoder().encode(userId)).then((d) => toBase64(new Uint8Array(d)).slice(0, 22));
      this.whoOf.set(userId, h);
    }
    return h;
  }
}
