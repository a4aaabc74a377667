import { assemble, type AppKeyStore, type Counters, type DeviceStore, type EventLog, type IdentityStore, type SessionDataStore, type SessionStore, type SettingStore, type SigningKeyStore, type Store, type UserStore, type WebhookQueue, type WebhookStore } from '@sessiond/core';
import { MemoryCounters } from './counters.ts';
import { MemoryDevices } from './devices.ts';
import { MemoryEvents } from './events.ts';
import { MemoryIdentities } from './identities.ts';
import { MemoryKeys } from './keys.ts';
import { MemorySessionData } from './session-data.ts';
import { MemorySessions } from './sessions.ts';
import { MemorySettings } from './settings.ts';
import { MemoryRecords } from './state.ts';
import { MemoryUsers } from './users.ts';
import { MemoryWebhooks } from './webhooks.ts';

export interface MemoryStore extends UserStore, SessionStore, SessionDataStore, DeviceStore, EventLog, Counters, SigningKeyStore, SettingStore, AppKeyStore, WebhookStore, WebhookQueue, IdentityStore {}

/**
 * The reference store: every method is trivially atomic because JavaScript runs one thing at a
 * time and nothing here awaits. Records are copied in and out so callers cannot alias state.
 */
export class MemoryStore implements Store {
  readonly kind = 'memory';
  private readonly events: MemoryEvents;

  constructor() {
    const records = new MemoryRecords();
    const sessions = new MemorySessions();
    const webhooks = new MemoryWebhooks();
    this.events = new MemoryEvents(webhooks);
    assemble(this, new MemoryUsers(records), sessions, new MemorySessionData(sessions), new MemoryDevices(records), this.events, new MemoryCounters(), new MemoryKeys(records), new MemorySettings(), webhooks, new MemoryIdentities());
  }

  async init(): Promise<void> {}
  async close(): Promise<void> {
    this.events.feed.close();
  }
  async ping(): Promise<void> {}
}

export function createMemoryStore(): MemoryStore {
  return new MemoryStore();
}
