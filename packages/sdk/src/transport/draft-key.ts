import { ApiError } from '../api-error.ts';
import { fromBase64 } from '../base64.ts';

const RETRY_MS = 3_000;

export interface DraftKeyOptions {
  url: string;
  fetch: typeof fetch;
  headers(): Promise<Record<string, string>>;
  /** Still worth asking: false once the session is over. */
  wanted(): boolean;
  /** The server says the session is over. */
  onRefused(error: ApiError): void;
}

/**
 * Fetches this person's draft key from sessiond and imports it as a non-extractable AES-GCM
 * CryptoKey: it lives in this page's memory only, and no script can read its bytes back. Retried
 * while the server is out of reach; rejected once the session is over.
 */
export async function fetchDraftKey(opts: DraftKeyOptions): Promise<CryptoKey> {
  for (;;) {
    let res: Response | null = null;
    try {
      res = await opts.fetch(opts.url, { headers: await opts.headers(), cache: 'no-store' });
    } catch {
      // Offline: try again below.
    }
    if (res?.ok) {
      const { key } = (await res.json()) as { key: string };
      return crypto.subtle.importKey('raw', fromBase64(key), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
    }
    if (res?.status === 401) {
      const error = await ApiError.fromResponse(res);
      opts.onRefused(error);
      throw error;
    }
    await new Promise((r) => setTimeout(r, RETRY_MS));
    if (!opts.wanted()) throw new Error('The session ended before the draft key arrived.');
  }
}
