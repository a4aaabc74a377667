import { codeOf, ERRORS, errorText, type EndingText, type ErrorCode, type ErrorFacts, type ErrorKey, type Placeholders } from './error-registry.ts';
import type { EndReason } from './types.ts';

/** What a call site may add to a registered error: facts, never a sentence (the registry has it). */
export interface ErrorOptions {
  reason?: EndReason;
  endedAt?: number;
  details?: Record<string, unknown>;
  /** Only to pass on a 4xx that Fastify chose itself; otherwise the registry's status stands. */
  status?: number;
  /** Seconds, for rate_limited and store_unavailable. */
  retryAfter?: number;
  cause?: unknown;
}

type KeyOptions<K extends ErrorKey> = ErrorOptions &
  (K extends 'session_ended' ? { /** The reason's sentence, from `endReasonMessage`. */ ending?: EndingText } : unknown);

/** The options of `key`: its facts are required when its sentence has placeholders. */
export type ErrorArgs<K extends ErrorKey> = [Placeholders<(typeof ERRORS)[K][1]>] extends [never]
  ? [opts?: KeyOptions<K> & { facts?: never }]
  : [opts: KeyOptions<K> & { facts: ErrorFacts<K> }];

interface AnyOptions extends ErrorOptions {
  facts?: Partial<Record<string, string | number>>;
  ending?: EndingText;
}

/** The one error type of sessiond: a stable code plus what the person needs to know. */
class SessiondErrorBase extends Error {
  /** The registry entry: the code, or `code.variant`. */
  readonly key: ErrorKey;
  readonly code: ErrorCode;
  readonly reason: EndReason | undefined;
  readonly endedAt: number | undefined;
  readonly details: Record<string, unknown> | undefined;
  readonly retryAfter: number | undefined;
  readonly status: number;

  constructor(key: ErrorKey, opts: AnyOptions = {}) {
    super(opts.ending ?? errorText(key, opts.facts), opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'SessiondError';
    this.key = key;
    this.code = codeOf(key);
    this.reason = opts.reason;
    this.endedAt = opts.endedAt;
    this.details = opts.details;
    this.retryAfter = opts.retryAfter;
    this.status = opts.status ?? ERRORS[key][0];
  }

  /** The same error with more details: what a caller further up knows (a sign-in's choice token). */
  withDetails(more: Record<string, unknown>): SessiondErrorBase {
    const e = Object.create(Object.getPrototypeOf(this) as object) as SessiondErrorBase;
    Object.assign(e, this, { details: { ...this.details, ...more } });
    Object.defineProperty(e, 'message', { value: this.message, writable: true, configurable: true });
    e.stack = this.stack;
    return e;
  }
}

/** Typed so that each key takes exactly the facts its sentence names. */
interface SessiondErrorConstructor {
  new <K extends ErrorKey>(key: K, ...opts: ErrorArgs<K>): SessiondErrorBase;
  readonly prototype: SessiondErrorBase;
}
export const SessiondError = SessiondErrorBase as SessiondErrorConstructor;
export type SessiondError = SessiondErrorBase;

/** Thrown by stores when their backend cannot be reached; rendered as 503 store_unavailable. */
export class StoreUnavailableError extends SessiondErrorBase {
  constructor(cause?: unknown) {
    super('store_unavailable', { cause, retryAfter: 2 });
    this.name = 'StoreUnavailableError';
  }
}

export const isSessiondError = (e: unknown): e is SessiondError => e instanceof SessiondError;
