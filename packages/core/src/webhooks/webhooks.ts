import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { SessiondError } from '../errors.ts';
import type { EventLog } from '../ports/event-log.ts';
import type { DeliveryDraft, WebhookRecord, WebhookStore } from '../ports/webhooks.ts';
import { randomId } from '../tokens.ts';
import type { NewAuditEvent } from '../types.ts';
import type { WebhookEventType } from '@sessiond/contract/names';
import { draftDeliveries, type WebhookTarget } from './payload.ts';

/** A webhook of SESSIOND_CONFIG: fixed by the operator's file, its secret given there. */
export interface ConfiguredWebhook {
  url: string;
  events: string[];
  apps: string[] | null;
  secret: string;
}

/** A webhook as the admin API shows it: never its secret. */
export interface WebhookView {
  id: string;
  url: string;
  events: WebhookEventType[];
  apps: string[] | null;
  source: 'config' | 'api';
  createdAt: number;
}

/** Seals secrets at rest (the server's key-encryption key): an HMAC key must be recoverable, so it is sealed, not hashed. */
export interface SecretSealer {
  seal(plain: string): string;
  unseal(sealed: string): string;
}

const SECRET_PREFIX = 'whsec_';
/** Standard Webhooks secrets are 24 to 64 bytes; 32 random bytes, as HMAC-SHA256 wants. */
const SECRET_BYTES = 32;
/** Registrations change rarely; the feed brings changes at once, and this bounds a missed one. */
const REFRESH_EVERY_MS = 30_000;

export const newWebhookSecret = (): string => SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64');

/** The HMAC key of a `whsec_` secret; null when it is not one (wrong prefix, not base64, too short). */
export function webhookKey(secret: string): Buffer | null {
  if (!secret.startsWith(SECRET_PREFIX)) return null;
  const b64 = secret.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return null;
  const key = Buffer.from(b64, 'base64');
  return key.length >= 24 && key.length <= 64 ? key : null;
}

/** Config-file webhooks get an id from their URL (unique in the file): stable across restarts, the same on every node. */
function configuredId(w: ConfiguredWebhook): string {
  return `whcfg_${createHash('sha256').update(w.url).digest('base64url').slice(0, 16)}`;
}

interface Known extends WebhookTarget {
  url: string;
  source: 'config' | 'api';
  secret: () => Buffer;
}

/**
 * The webhooks: the config file's and those made through the admin API (stored, secrets sealed),
 * kept in memory on every node so that queueing an event costs no read; changes made on any node
 * arrive through the event log's feed.
 */
export class Webhooks {
  private stored: Known[] = [];
  private readonly configured: Known[];
  private readonly unsubscribe: () => void;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: WebhookStore & EventLog,
    private readonly clock: Clock,
    configured: ConfiguredWebhook[],
    private readonly sealer: SecretSealer,
  ) {
    this.configured = configured.map((w) => {
      const key = webhookKey(w.secret);
      if (!key) throw new Error(`webhook ${w.url}: secret must be whsec_ followed by base64 of 24 to 64 bytes`);
      return { id: configuredId(w), url: w.url, events: w.events, apps: w.apps, createdAt: 0, source: 'config', secret: () => key };
    });
    this.unsubscribe = store.subscribe((e) => {
      if (e.type === 'webhook.created' || e.type === 'webhook.deleted') void this.refresh().catch(() => {});
    });
  }

  /** Loads the stored ones; call before serving, then they follow every change. */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch(() => {}), REFRESH_EVERY_MS);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
    this.unsubscribe();
  }

  private async refresh(): Promise<void> {
    this.stored = (await this.store.listWebhooks()).map((r) => this.known(r));
  }

  private known(r: WebhookRecord): Known {
    let key: Buffer | null = null;
    return {
      id: r.id,
      url: r.url,
      events: r.events,
      apps: r.apps,
      createdAt: r.createdAt,
      source: 'api',
      // Unsealed when first needed, so a list of many webhooks costs no decryption.
      secret: () => (key ??= webhookKey(this.sealer.unseal(r.secretSealed))!),
    };
  }

  private all(): Known[] {
    return [...this.configured, ...this.stored];
  }

  /** The secret is returned this once; the store keeps it sealed. */
  async create(input: { url: string; events: string[]; apps: string[] | null }): Promise<{ webhook: WebhookView; secret: string }> {
    const secret = newWebhookSecret();
    const record: WebhookRecord = { id: `wh_${randomId()}`, url: input.url, events: [...new Set(input.events)], apps: input.apps ? [...new Set(input.apps)] : null, secretSealed: this.sealer.seal(secret), createdAt: this.clock.now() };
    await this.store.saveWebhook(record);
    this.stored = [...this.stored, this.known(record)];
    await this.store.recordEvent({ type: 'webhook.created', at: record.createdAt, userId: null, sessionId: null, ip: null, reason: null, data: { webhookId: record.id, url: record.url, events: record.events } });
    return { webhook: view(this.known(record)), secret };
  }

  list(): WebhookView[] {
    return this.all().map(view);
  }

  find(id: string): WebhookView {
    const w = this.all().find((x) => x.id === id);
    if (!w) throw new SessiondError('not_found.webhook');
    return view(w);
  }

  async delete(id: string): Promise<void> {
    if (this.configured.some((w) => w.id === id)) throw new SessiondError('forbidden.configured_webhook');
    if (!(await this.store.deleteWebhook(id))) throw new SessiondError('not_found.webhook');
    this.stored = this.stored.filter((w) => w.id !== id);
    await this.store.recordEvent({ type: 'webhook.deleted', at: this.clock.now(), userId: null, sessionId: null, ip: null, reason: null, data: { webhookId: id } });
  }

  /** Where and with what key to deliver; null for a webhook deleted since its delivery was queued. */
  target(id: string): { url: string; key: Buffer } | null {
    const w = this.all().find((x) => x.id === id);
    return w ? { url: w.url, key: w.secret() } : null;
  }

  /**
   * The deliveries of an event not yet recorded: one for each webhook, of the config file or
   * stored, that wants it. `enqueueOnRecord` hands them to the store's `recordEvent`, which queues
   * them in the step that appends the event.
   */
  drafts(e: NewAuditEvent): DeliveryDraft[] {
    return draftDeliveries(this.all(), e, this.clock.now());
  }
}

function view(w: Known): WebhookView {
  // Only known types are ever registered (the contract and the config file check them).
  return { id: w.id, url: w.url, events: [...w.events] as WebhookEventType[], apps: w.apps ? [...w.apps] : null, source: w.source, createdAt: w.createdAt };
}

/**
 * Makes every `recordEvent` of this node also queue the event's webhook deliveries: every service
 * records through the store, so no event is missed, and the store appends the event and queues its
 * deliveries in one atomic step (one transaction, one Lua script), so a crash cannot leave an
 * event in the log that no webhook receives, nor a delivery of an event that was not recorded.
 */
export function enqueueOnRecord(log: EventLog, webhooks: Pick<Webhooks, 'drafts'>, onQueued: (n: number) => void = () => {}): void {
  const record = log.recordEvent.bind(log);
  log.recordEvent = async (event, deliveries = []) => {
    const all = [...deliveries, ...webhooks.drafts(event)];
    const recorded = await record(event, all);
    // The event's id is new, so every delivery derived from it is too.
    if (all.length > 0) onQueued(all.length);
    return recorded;
  };
}
