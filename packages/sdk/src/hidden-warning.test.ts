import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HiddenWarning, notificationPermission } from './hidden-warning.ts';

/** Just what HiddenWarning touches of a document: its title, its visibility and the event. */
class FakeDocument extends EventTarget {
  title = 'Expenses · sessiond';
  visibilityState: DocumentVisibilityState = 'visible';
  show(state: DocumentVisibilityState) {
    this.visibilityState = state;
    this.dispatchEvent(new Event('visibilitychange'));
  }
}

class FakeNotification {
  static permission: NotificationPermission = 'granted';
  static made: FakeNotification[] = [];
  onclick: (() => void) | null = null;
  closed = false;
  constructor(
    readonly title: string,
    readonly options: NotificationOptions,
  ) {
    FakeNotification.made.push(this);
  }
  close() {
    this.closed = true;
  }
}

describe('HiddenWarning (SPEC §14)', () => {
  let doc: FakeDocument;
  const focus = vi.fn();
  const stay = vi.fn();
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
    vi.stubGlobal('Notification', FakeNotification);
    vi.stubGlobal('window', { focus });
    FakeNotification.made = [];
    FakeNotification.permission = 'granted';
    doc = new FakeDocument();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
    focus.mockClear();
    stay.mockClear();
  });

  it('does nothing while the page is visible', () => {
    const w = new HiddenWarning(doc as unknown as Document, stay);
    w.set(Date.now() + 120_000);
    expect(doc.title).toBe('Expenses · sessiond');
    expect(FakeNotification.made).toHaveLength(0);
  });

  it('puts a ticking countdown in the title while hidden and restores it when visible', () => {
    const w = new HiddenWarning(doc as unknown as Document, stay);
    doc.show('hidden');
    w.set(Date.now() + 120_000);
    expect(doc.title).toBe('Signing out in 2:00 · Expenses · sessiond');
    vi.advanceTimersByTime(1_000);
    expect(doc.title).toBe('Signing out in 1:59 · Expenses · sessiond');
    doc.title = 'Report · sessiond'; // the page retitles itself meanwhile
    vi.advanceTimersByTime(1_000);
    expect(doc.title).toBe('Signing out in 1:58 · Report · sessiond');
    doc.show('visible');
    expect(doc.title).toBe('Report · sessiond');
    vi.advanceTimersByTime(5_000);
    expect(doc.title).toBe('Report · sessiond');
  });

  it('one notification per warning; its click focuses the tab and stays signed in; the end restores the title', () => {
    const w = new HiddenWarning(doc as unknown as Document, stay);
    doc.show('hidden');
    w.set(Date.now() + 120_000);
    expect(FakeNotification.made.map((n) => n.title)).toEqual(["You'll be signed out in 2 minutes — click to stay signed in"]);
    doc.show('visible');
    doc.show('hidden');
    expect(FakeNotification.made).toHaveLength(1);
    FakeNotification.made[0]!.onclick!();
    expect(focus).toHaveBeenCalledOnce();
    expect(stay).toHaveBeenCalledOnce();
    w.set(null); // the extend answered: the warning is over
    expect(doc.title).toBe('Expenses · sessiond');
    w.set(Date.now() + 120_000); // the next warning may notify again
    expect(FakeNotification.made).toHaveLength(2);
    w.dispose();
    expect(FakeNotification.made[1]!.closed).toBe(true);
    expect(doc.title).toBe('Expenses · sessiond');
  });

  it('no notification without the permission, and none asked for', () => {
    FakeNotification.permission = 'default';
    const w = new HiddenWarning(doc as unknown as Document, stay);
    doc.show('hidden');
    w.set(Date.now() + 60_000);
    expect(FakeNotification.made).toHaveLength(0);
    expect(doc.title).toBe('Signing out in 1:00 · Expenses · sessiond');
    vi.stubGlobal('Notification', undefined);
    expect(notificationPermission()).toBe('unsupported');
  });
});
