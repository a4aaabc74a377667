import { createContext, useContext, useEffect, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import type { SessionClient } from './client.ts';
import type { Draft } from './drafts.ts';
import type { SessionEvents, SessionState } from './types.ts';

const SessionContext = createContext<SessionClient | null>(null);

/**
 * Makes a session client available to the tree and starts it.
 *
 * @example
 * const client = createSessionClient();
 * root.render(<SessionProvider client={client}><App /></SessionProvider>);
 */
export function SessionProvider({ client, children }: { client: SessionClient; children: ReactNode }) {
  useEffect(() => {
    void client.start();
  }, [client]);
  return <SessionContext.Provider value={client}>{children}</SessionContext.Provider>;
}

export function useSessionClient(): SessionClient {
  const client = useContext(SessionContext);
  if (!client) throw new Error('useSessionClient must be used inside <SessionProvider>.');
  return client;
}

/** The session state, re-rendering on every change. */
export function useSession(): SessionState {
  const client = useSessionClient();
  return useSyncExternalStore(client.subscribe, client.getState, client.getState);
}

/** Subscribes to one typed event for the life of the component; the latest handler is used. */
export function useSessionEvent<K extends keyof SessionEvents>(type: K, handler: (payload: SessionEvents[K]) => void): void {
  const client = useSessionClient();
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => client.on(type, (p) => latest.current(p)), [client, type]);
}

/**
 * The saved draft of a marked form for the signed-in person, read once per person, so the page
 * can shape itself (e.g. how many item rows) before fields are filled from it. `undefined` while
 * it is being read: drafts are sealed, and open only once sessiond has handed over the key.
 */
export function useDraft(name: string): Draft | null | undefined {
  const client = useSessionClient();
  const userId = useSession().user?.id ?? null;
  const [read, setRead] = useState<{ userId: string; draft: Draft | null } | null>(null);
  useEffect(() => {
    if (!userId) return;
    let current = true;
    void client.drafts.read(name).then((draft) => current && setRead({ userId, draft }));
    return () => {
      current = false;
    };
  }, [client, name, userId]);
  if (!userId) return null;
  return read?.userId === userId ? read.draft : undefined;
}
