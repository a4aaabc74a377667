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
  /** Whose drafts: null while nobody is signed in, which pauses saving. */
  userId: () => string | null;
  /** Drafts older than this are dropped when read. */
  maxAgeMs?: number;
  debounceMs?: number;
}

type Field = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

const NEVER_SAVED = new Set(['password', 'file', 'hidden', 'submit', 'button', 'reset', 'image']);
const PREFIX = 'sessiond:draft:v1:';

/**
 * Autosaves marked forms into localStorage, keyed by user, so work typed before a session ended
 * survives a sign-in, a reload or a crash — and never shows up for another person at this browser.
 */
export class Drafts {
  private readonly pending = new Map<HTMLFormElement, ReturnType<typeof setTimeout>>();
  private readonly maxAgeMs: number;
  private readonly debounceMs: number;

  constructor(private readonly opts: DraftOptions) {
    this.maxAgeMs = opts.maxAgeMs ?? 7 * 24 * 3600_000;
    this.debounceMs = opts.debounceMs ?? 300;
  }

  /** The saved draft of the form named `name` for the signed-in person, if any. */
  read(name: string): Draft | null {
    const key = this.key(name);
    if (!key) return null;
    try {
      const raw = this.opts.storage?.getItem(key);
      if (!raw) return null;
      const draft = JSON.parse(raw) as Draft;
      if (typeof draft.savedAt !== 'number' || typeof draft.fields !== 'object' || Date.now() - draft.savedAt > this.maxAgeMs) {
        this.opts.storage?.removeItem(key);
        return null;
      }
      return draft;
    } catch {
      return null;
    }
  }

  /** Saves a marked form now. */
  save(form: HTMLFormElement): void {
    const timer = this.pending.get(form);
    if (timer !== undefined) clearTimeout(timer);
    this.pending.delete(form);
    // A form the page has removed (submitted, started over) must not write its old content back.
    if (!form.isConnected) return;
    const name = form.getAttribute(DRAFT_ATTRIBUTE);
    const key = name ? this.key(name) : null;
    if (!key) return;
    const draft: Draft = { savedAt: Date.now(), fields: serializeForm(form) };
    try {
      this.opts.storage?.setItem(key, JSON.stringify(draft));
    } catch {
      // Quota exceeded: the page still holds the work; nothing better to do here.
    }
  }

  /** Fills a marked form from its draft; returns the draft used. */
  restore(form: HTMLFormElement): Draft | null {
    const name = form.getAttribute(DRAFT_ATTRIBUTE);
    const draft = name ? this.read(name) : null;
    if (draft) fillForm(form, draft.fields);
    return draft;
  }

  erase(name: string): void {
    for (const [form, timer] of this.pending) {
      if (form.getAttribute(DRAFT_ATTRIBUTE) !== name) continue;
      clearTimeout(timer);
      this.pending.delete(form);
    }
    const key = this.key(name);
    if (key) this.opts.storage?.removeItem(key);
  }

  /** Erases every draft of `userId`: the person signed out of this browser on purpose. */
  eraseAll(userId: string): void {
    const storage = this.opts.storage;
    if (!storage) return;
    const prefix = `${PREFIX}${userId}:`;
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
    const keys: string[] = [];
    for (let i = 0; i < storage.length; i++) {
      const k = storage.key(i);
      if (k?.startsWith(prefix)) keys.push(k);
    }
    for (const k of keys) storage.removeItem(k);
  }

  /** Saves every form with a pending change at once (before an ending, when the tab hides). */
  flush(): void {
    for (const form of [...this.pending.keys()]) this.save(form);
  }

  /** Autosaves marked forms under `root` as the person types, by event delegation. */
  watch(root: Document): () => void {
    const onInput = (e: Event) => {
      const form = (e.target as Partial<Field> | null)?.form;
      if (!form || !form.hasAttribute(DRAFT_ATTRIBUTE)) return;
      const timer = this.pending.get(form);
      if (timer !== undefined) clearTimeout(timer);
      this.pending.set(form, setTimeout(() => this.save(form), this.debounceMs));
    };
    const onHide = () => {
      if (root.visibilityState === 'hidden') this.flush();
    };
    const onPageHide = () => this.flush();
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

  private key(name: string): string | null {
    const userId = this.opts.userId();
    return userId ? `${PREFIX}${userId}:${name}` : null;
  }
}

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
