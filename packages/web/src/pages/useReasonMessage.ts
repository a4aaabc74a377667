import { BROWSER_CAUSE_MESSAGES, isBrowserCause, isEndReason } from '@sessiond/sdk';
import { useSessionClient } from '@sessiond/sdk/react';
import { useEffect, useState } from 'react';

/**
 * The message for `?reason=`: this tab's own ending when it matches (it knows which device and
 * when), otherwise the server's wording with its configured numbers (`GET /v1/reasons/:reason`).
 * A browser-side cause (`cookies_removed`, …) is worded by the SDK: the server never saw it.
 */
export function useReasonMessage(reason: string | null): string | null {
  const client = useSessionClient();
  const [message, setMessage] = useState<string | null>(() => {
    const own = client.getState().ending;
    return own && own.reason === reason ? own.message : null;
  });
  useEffect(() => {
    if (!isEndReason(reason) || message) return;
    let live = true;
    void client.reasonMessage(reason).then((m) => live && setMessage(m));
    return () => {
      live = false;
    };
  }, [client, reason, message]);
  if (isBrowserCause(reason)) return BROWSER_CAUSE_MESSAGES[reason];
  return isEndReason(reason) ? message : null;
}
