import type { AppKeyStore } from './ports/app-keys.ts';
import type { Counters } from './ports/counters.ts';
import type { DeviceStore } from './ports/devices.ts';
import type { EventLog } from './ports/event-log.ts';
import type { IdentityStore } from './ports/identities.ts';
import type { SessionDataStore } from './ports/session-data.ts';
import type { SessionStore } from './ports/sessions.ts';
import type { SettingStore } from './ports/settings.ts';
import type { SigningKeyStore } from './ports/signing-keys.ts';
import type { UserStore } from './ports/users.ts';
import type { WebhookQueue, WebhookStore } from './ports/webhooks.ts';

export * from './ports/index.ts';

/** Opening and closing a backend. */
export interface StoreLifecycle {
  /** "memory", "sqlite", "redis", "postgres". */
  readonly kind: string;
  /** Creates schema / runs migrations; safe when several nodes start at once. */
  init(): Promise<void>;
  close(): Promise<void>;
  /** Resolves when the backend answers; throws StoreUnavailableError otherwise. */
  ping(): Promise<void>;
}

/**
 * One backend offering every port, so the server opens one store; core's services each take only
 * the ports they use (ports/). Each method is atomic in its store, and the conformance suite
 * (`@sessiond/store-tests`) is the specification. Stores hold no policy: the rules they apply
 * inside an atomic step are core's, and a store that cannot reach its backend throws
 * `StoreUnavailableError` (ports/outage.ts).
 */
export interface Store extends StoreLifecycle, UserStore, SessionStore, SessionDataStore, DeviceStore, EventLog, Counters, SigningKeyStore, SettingStore, AppKeyStore, WebhookStore, WebhookQueue, IdentityStore {}
