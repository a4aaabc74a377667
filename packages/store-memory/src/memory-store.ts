import { assemble, type AppKeyStore, type Counters, type DeviceStore, type EventLog, type SessionDataStore, type SessionStore, type SettingStore, type SigningKeyStore, type Store, type UserStore } from '@sessiond/core';
import { MemoryCounters } from './counters.ts';
import { MemoryDevices } from './devices.ts';
import { MemoryEvents } from './events.ts';
import { MemoryKeys } from './keys.ts';
import { MemorySessionData } from './session-data.ts';
import { MemorySessions } from './sessions.ts';
import { MemorySettings } from './settings.ts';
import { MemoryRecords } from './state.ts';
import { MemoryUsers } from './users.ts';

export interface MemoryStore extends UserStore, SessionStore, SessionDataStore, DeviceStore, EventLog, Counters, SigningKeyStore, SettingStore, AppKeyStore {}

/**
 * The reference store: every method is trivially atomic because JavaScript runs one thing at a
 * time and nothing here awaits. Records are copied in and out so callers cannot alias state.
 */
export class MemoryStore implements Store {
  readonly kind = 'memory';
  private readonly events = new MemoryEvents();

  constructor() {
    const records = new MemoryRecords();
    const sessions = new MemorySessions();
    assemble(this, new MemoryUsers(records), sessions, new MemorySessionData(sessions), new MemoryDevices(records), this.events, new MemoryCounters(), new MemoryKeys(records), new MemorySettings());
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
