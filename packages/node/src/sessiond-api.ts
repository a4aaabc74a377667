import type { ErrorBody, PublicUser, SessionView } from '@sessiond/contract';

/** Who is asking, as the app's own server saw them: sessiond records and binds these, not the app server's. */
export interface ClientContext {
  ip?: string | null;
  userAgent?: string | null;
  /** Background work (status polls): does not slide the idle timeout (`X-Sessiond-Passive`). */
  passive?: boolean;
}

export type SessiondErrorBody = ErrorBody;

/** A refusal in SPEC §5 shape, with the status to answer it with. */
export interface Refusal {
  status: number;
  body: SessiondErrorBody;
  /** Seconds, for 429 and 503. */
  retryAfter?: number;
}

export type Answer<T> = { ok: true; value: T } | { ok: false; refusal: Refusal };

export interface SignedIn {
  user: PublicUser;
  session: SessionView;
  token: string;
}

/**
 * The calls to sessiond, and the one place that decides which of its answer's headers reach the
 * app: none. `Set-Cookie` and `Clear-Site-Data` are for sessiond's own origin; `Clear-Site-Data:
 * "cookies"` on the app's answer would erase every cookie of the app's site, its own included.
 */
export class SessiondApi {
  constructor(
    private readonly baseUrl: string,
    private readonly appKey: string | undefined,
    private readonly fetchFn: typeof fetch,
    private readonly timeoutMs: number,
    /** Told when sessiond refuses this app's relay (a revoked app key): the operator must act. */
    private readonly onAppRefused: (e: Error) => void = () => {},
  ) {}

  /** `GET /v1/session` with the person's credential: the route every browser uses, so no scope is needed. */
  validate(credential: string, client: ClientContext): Promise<Answer<{ user: PublicUser; session: SessionView }>> {
    return this.call('GET', '/v1/session', { credential, client });
  }

  signIn(body: { email: string; password: string; rememberMe?: boolean; totp?: string; app: string }, client: ClientContext): Promise<Answer<SignedIn>> {
    return this.call('POST', '/v1/login', { body, client });
  }

  async signOut(credential: string, client: ClientContext): Promise<Answer<null>> {
    return this.call('POST', '/v1/logout', { credential, client });
  }

  /** The message for a reason, with this server's numbers (`/v1/reasons/:reason`). */
  reasonMessage(reason: string, app: string): Promise<Answer<{ reason: string; message: string }>> {
    return this.call('GET', `/v1/reasons/${encodeURIComponent(reason)}?app=${encodeURIComponent(app)}`, {});
  }

  private async call<T>(method: string, path: string, opts: { credential?: string; client?: ClientContext; body?: unknown }, relay = true): Promise<Answer<T>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (opts.credential) headers.authorization = `Bearer ${opts.credential}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const c = opts.client;
    // The person's address and browser, vouched for by this app's key; sessiond honours them only
    // with a valid key of the session's app, so a browser cannot write its own.
    const relaying = relay && c !== undefined && this.appKey !== undefined && Boolean(c.ip || c.userAgent);
    if (relaying) {
      headers[APP_KEY_HEADER] = this.appKey!;
      if (c.ip) headers['x-sessiond-client-ip'] = c.ip;
      // sessiond refuses longer ones (400); no real browser's is.
      if (c.userAgent) headers['x-sessiond-client-user-agent'] = c.userAgent.slice(0, MAX_USER_AGENT);
    }
    if (c?.passive) headers['x-sessiond-passive'] = '1';
    let res: Response;
    try {
      res = await this.fetchFn(this.baseUrl + path, {
        method,
        headers,
        body: opts.body === undefined ? null : JSON.stringify(opts.body),
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'manual',
      });
    } catch {
      return { ok: false, refusal: unavailable() };
    }
    if (res.status === 204) return { ok: true, value: null as T };
    const json = (await res.json().catch(() => null)) as unknown;
    if (res.ok && json !== null) return { ok: true, value: json as T };
    if (relaying && isErrorBody(json) && isRelayRefused(res.status, json)) {
      // The relay itself was refused (a revoked or wrong app key, a header): the app's fault, not
      // the person's. Asked again without it, the answer is about the person alone; the operator is
      // told, since sessiond then records this server's address for them. Any other refusal (a
      // disabled account's 403) is the person's answer: asking again would count a second attempt.
      const again = await this.call<T>(method, path, opts, false);
      const sameRefusal = !again.ok && again.refusal.status === res.status && again.refusal.body.error.message === json.error.message;
      if (!sameRefusal) this.onAppRefused(new Error(`sessiond refused this app's relay on ${method} ${path.split('?')[0]}: ${res.status} ${json.error.code}: ${json.error.message}`));
      return again;
    }
    if (res.status >= 400 && res.status < 500 && isErrorBody(json)) {
      const retryAfter = Number(res.headers.get('retry-after'));
      return { ok: false, refusal: { status: res.status, body: json, ...(retryAfter > 0 ? { retryAfter } : {}) } };
    }
    // 5xx, or something that is not sessiond (a proxy's HTML page): an outage, never an ending.
    return { ok: false, refusal: unavailable(Number(res.headers.get('retry-after')) || undefined) };
  }
}

/**
 * How the app key travels beside the person's own credential (which takes `Authorization`).
 * Sent only on calls that carry the person's address, so the server can tell who vouches for it.
 */
export const APP_KEY_HEADER = 'x-sessiond-app-key';

const MAX_USER_AGENT = 1024;
const RELAY_FIELDS = new Set(['X-Sessiond-Client-IP', 'X-Sessiond-Client-User-Agent', 'X-Sessiond-App-Key']);

/**
 * sessiond's refusals of the relay itself, each naming what it refused in `details.field`: 400
 * `invalid_request` for a header it sent; 403 `forbidden` for an app key that is not valid or is of
 * another app than the session's (`X-Sessiond-App-Key`) or the sign-in's (`app`).
 */
function isRelayRefused(status: number, b: SessiondErrorBody): boolean {
  const field = b.error.details?.field;
  if (typeof field !== 'string') return false;
  if (status === 400) return b.error.code === 'invalid_request' && RELAY_FIELDS.has(field);
  return status === 403 && b.error.code === 'forbidden' && (field === 'X-Sessiond-App-Key' || field === 'app');
}

function isErrorBody(v: unknown): v is SessiondErrorBody {
  const e = (v as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return typeof e?.code === 'string' && typeof e.message === 'string';
}

/** sessiond cannot be reached or failed: 503, so the app says "try again", never "you were signed out". */
export function unavailable(retryAfter = 5): Refusal {
  return { status: 503, retryAfter, body: { error: { code: 'store_unavailable', message: 'The service is temporarily unavailable. Your session is safe; please try again shortly.' } } };
}
