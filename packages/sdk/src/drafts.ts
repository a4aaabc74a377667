import { fromBase64, toBase64 } from './base64.ts';
/** Marks a form whose content is saved as a draft: `<form data-sessiond-draft="expense-report">`. */
export const DRAFT_ATTRIBUTE = 'data-sessiond-draft';
/** Fields under this attribute are never saved (card numbers, one-time codes…). */
export const DRAFT_IGNORE_ATTRIBUTE = 'data-sessiond-draft-ignore';

export type DraftValue = string | boolean | string[];

export interface Draft {
  savedAt: number;
  fields: Record<string, DraftValue>;
}

export interface DraftOptions {
  storage: Storage | null;
  /** Drafts older than this are dropped when read. */
  maxAgeMs?: number;
  debounceMs?: number;
}

type Field = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

/** Whose drafts are open, and the key sessiond gave that person's live session. */
interface Access {
  userId: string;
  key: CryptoKey;
}

/** At rest: only `savedAt` in the clear (so stale drafts can be dropped unread), the fields sealed. */
interface SealedDraft {
  savedAt: number;
  iv: string;
  sealed: string;
}

const NEVER_SAVED = new Set(['password', 'file', 'hidden', 'submit', 'button', 'reset', 'image']);
const PREFIX = 'sessiond:draft:v2:';
/** Drafts the SDK kept in plaintext before they were sealed: removed unread. */
const PLAINTEXT_PREFIX = 'sessiond:draft:v1:';

/**
 * Autosaves marked forms into localStorage, keyed by user and sealed with AES-GCM under a key
 * that only that person's live session can fetch from sessiond (held in memory, never stored), so
 * work typed before a session ended survives a sign-in, a reload or a crash — and is unreadable
 * to anyone else at this browser, and to everyone until that person signs in again.
 */
export class Drafts {
  private readonly pending = new Map<HTMLFormElement, ReturnType<typeof setTimeout>>();
  private readonly maxAgeMs: number;
  private readonly debounceMs: number;
  private access: Promise<Access | null> = Promise.resolve(null);
  private openFor: string | null = null;
  /** Writes and erasures in the order they were asked for: sealing is asynchronous. */
  private writes: Promise<void> = Promise.resolve();

  constructor(private readonly opts: DraftOptions) {
    this.maxAgeMs = opts.maxAgeMs ?? 7 * 24 * 3600_000;
    this.debounceMs = opts.debounceMs ?? 300;
    this.removeWhere((k) => k.startsWith(PLAINTEXT_PREFIX));
  }

  /** Opens the drafts of `userId` once `key` (sessiond's draft key for them) arrives. */
  unlock(userId: string, key: Promise<CryptoKey>): void {
    this.openFor = userId;
    const access = key.then(
      (k): Access | null => (this.access === access ? { userId, key: k } : null),
      () => null,
    );
    this.access = access;
  }

  /**
   * The session ended: what is pending is sealed with the key still held, then the key is
   * forgotten, so the drafts stay unreadable until the same person signs in again.
   */
  lock(): Promise<void> {
    const saved = this.flush();
    this.access = Promise.resolve(null);
    this.openFor = null;
    return saved;
  }

  /** The saved draft of the form named `name` for the person whose drafts are open, if any. */
  async read(name: string): Promise<Draft | null> {
    const access = await this.access;
    const storage = this.opts.storage;
    if (!access || !storage) return null;
    const key = storageKey(access.userId, name);
    try {
      const raw = storage.getItem(key);
      if (!raw) return null;
      const at = JSON.parse(raw) as SealedDraft;
      if (typeof at.savedAt !== 'number' || Date.now() - at.savedAt > this.maxAgeMs) {
        storage.removeItem(key);
        return null;
      }
      const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromBase64(at.iv), additionalData: encode(key) }, access.key, fromBase64(at.sealed));
      const fields = JSON.parse(new TextDecoder().decode(plain)) as Draft['fields'];
      return typeof fields === 'object' && fields !== null ? { savedAt: at.savedAt, fields } : null;
    } catch {
      // Kept: a node behind the same load balancer may derive the key it was sealed with (or a
      // fixed configuration will); it is dropped by age like any draft, or replaced by a save.
      return null;
    }
  }

  /** Saves a marked form now; resolves once it is sealed and stored. */
  save(form: HTMLFormElement): Promise<void> {
    const timer = this.pending.get(form);
    if (timer !== undefined) clearTimeout(timer);
    this.pending.delete(form);
    // A form the page has removed (submitted, started over) must not write its old content back.
    const name = form.getAttribute(DRAFT_ATTRIBUTE);
    const storage = this.opts.storage;
    if (!form.isConnected || !name || !storage) return this.writes;
    const draft: Draft = { savedAt: Date.now(), fields: serializeForm(form) };
    const access = this.access;
    return this.queue(async () => {
      const open = await access;
      if (!open) return; // Nobody's drafts are open: nothing is written in the clear.
      const key = storageKey(open.userId, name);
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: encode(key) }, open.key, encode(JSON.stringify(draft.fields)));
      try {
        storage.setItem(key, JSON.stringify({ savedAt: draft.savedAt, iv: toBase64(iv), sealed: toBase64(new Uint8Array(sealed)) } satisfies SealedDraft));
      } catch {
        // Quota exceeded: the page still holds the work; nothing better to do here.
      }
    });
  }

  /** Fills a marked form from its draft; returns the draft used. */
  async restore(form: HTMLFormElement): Promise<Draft | null> {
    const name = form.getAttribute(DRAFT_ATTRIBUTE);
    const draft = name ? await this.read(name) : null;
    if (draft) fillForm(form, draft.fields);
    return draft;
  }

  erase(name: string): void {
    for (const [form, timer] of this.pending) {
      if (form.getAttribute(DRAFT_ATTRIBUTE) !== name) continue;
      clearTimeout(timer);
      this.pending.delete(form);
    }
    const userId = this.openFor;
    if (!userId) return;
    const key = storageKey(userId, name);
    // Now, and again after a save still being sealed.
    this.opts.storage?.removeItem(key);
    void this.queue(async () => this.opts.storage?.removeItem(key));
  }

  /** Erases every draft of `userId`: the person signed out of this browser on purpose. */
  eraseAll(userId: string): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
    const mine = (k: string) => k.startsWith(`${PREFIX}${userId}:`);
    this.removeWhere(mine);
    void this.queue(async () => this.removeWhere(mine));
  }

  /** Saves every form with a pending change at once (before an ending, when the tab hides). */
  flush(): Promise<void> {
    for (const form of [...this.pending.keys()]) void this.save(form);
    return this.writes;
  }

  /** Autosaves marked forms under `root` as the person types, by event delegation. */
  watch(root: Document): () => void {
    const onInput = (e: Event) => {
      const form = (e.target as Partial<Field> | null)?.form;
      if (!form || !form.hasAttribute(DRAFT_ATTRIBUTE)) return;
      const timer = this.pending.get(form);
      if (timer !== undefined) clearTimeout(timer);
      this.pending.set(form, setTimeout(() => void this.save(form), this.debounceMs));
    };
    const onHide = () => {
      if (root.visibilityState === 'hidden') void this.flush();
    };
    const onPageHide = () => void this.flush();
    root.addEventListener('input', onInput, true);
    root.addEventListener('change', onInput, true);
    root.addEventListener('visibilitychange', onHide);
    root.defaultView?.addEventListener('pagehide', onPageHide);
    return () => {
      root.removeEventListener('input', onInput, true);
      root.removeEventListener('change', onInput, true);
      root.removeEventListener('visibilitychange', onHide);
      root.defaultView?.removeEventListener('pagehide', onPageHide);
      for (const t of this.pending.values()) clearTimeout(t);
      this.pending.clear();
    };
  }

  private queue(step: () => Promise<void>): Promise<void> {
    this.writes = this.writes.then(step).catch(() => {});
    return this.writes;
  }

  private removeWhere(match: (key: string) => boolean): void {
    const storage = this.opts.storage;
    if (!storage) return;
    const keys: string[] = [];
    for (let i = 0; i < storage.length; i++) {
      const k = storage.key(i);
      if (k !== null && match(k)) keys.push(k);
    }
    for (const k of keys) storage.removeItem(k);
  }
}

/** The storage key is also the AES-GCM associated data: a sealed draft cannot be moved to another person or form. */
function storageKey(userId: string, name: string): string {
  return `${PREFIX}${userId}:${name}`;
}

const encode = (text: string) => new TextEncoder().encode(text);

function savedFields(form: HTMLFormElement): Field[] {
  const out: Field[] = [];
  for (const el of Array.from(form.elements)) {
    if (!(el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement)) continue;
    const field: Field = el;
    if (!field.name) continue;
    if (field instanceof HTMLInputElement && NEVER_SAVED.has(field.type)) continue;
    if (field.autocomplete?.includes('one-time-code') || field.autocomplete?.startsWith('cc-')) continue;
    if (field.closest(`[${DRAFT_IGNORE_ATTRIBUTE}]`)) continue;
    out.push(field);
  }
  return out;
}

/** Field names should be unique; checkbox groups and radio sets are the exceptions handled. */
export function serializeForm(form: HTMLFormElement): Record<string, DraftValue> {
  const fields: Record<string, DraftValue> = {};
  for (const f of savedFields(form)) {
    if (f instanceof HTMLInputElement && f.type === 'checkbox') {
      fields[f.value && f.value !== 'on' ? `${f.name}=${f.value}` : f.name] = f.checked;
    } else if (f instanceof HTMLInputElement && f.type === 'radio') {
      if (f.checked) fields[f.name] = f.value;
    } else if (f instanceof HTMLSelectElement && f.multiple) {
      fields[f.name] = Array.from(f.selectedOptions, (o) => o.value);
    } else {
      fields[f.name] = f.value;
    }
  }
  return fields;
}

/**
 * Writes values through the native setters and fires `input`/`change`, so frameworks that track
 * values themselves (React's controlled inputs) see the change as if typed.
 */
export function fillForm(form: HTMLFormElement, fields: Record<string, DraftValue>): void {
  for (const f of savedFields(form)) {
    if (f instanceof HTMLInputElement && (f.type === 'checkbox' || f.type === 'radio')) {
      const v = f.type === 'checkbox' ? fields[f.value && f.value !== 'on' ? `${f.name}=${f.value}` : f.name] : fields[f.name] === f.value;
      if (typeof v !== 'boolean' || v === f.checked) continue;
      setNative(f, 'checked', v);
    } else if (f instanceof HTMLSelectElement && f.multiple) {
      const v = fields[f.name];
      if (!Array.isArray(v)) continue;
      for (const o of Array.from(f.options)) o.selected = v.includes(o.value);
    } else {
      const v = fields[f.name];
      if (typeof v !== 'string' || v === f.value) continue;
      setNative(f, 'value', v);
    }
    f.dispatchEvent(new Event('input', { bubbles: true }));
    f.dispatchEvent(new Event('change', { bubbles: true }));
  }
}

function setNative(el: Field, prop: 'value' | 'checked', value: string | boolean): void {
  const proto = Object.getPrototypeOf(el) as object;
  const setter = Object.getOwnPropertyDescriptor(proto, prop)?.set;
  if (setter) setter.call(el, value);
  else (el as unknown as Record<string, unknown>)[prop] = value;
}
