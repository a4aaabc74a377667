/**
 * Sign-in throttling hook: `before` throws SessiondError('rate_limited') with retryAfter when a
 * client or an account must wait. The default lets everything through.
 */
export interface SignInGuard {
  before(email: string, ip: string | null): Promise<void>;
  failed(email: string, ip: string | null): Promise<void>;
  succeeded(email: string, ip: string | null): Promise<void>;
}

export const openGuard: SignInGuard = {
  before: async () => {},
  failed: async () => {},
  succeeded: async () => {},
};
