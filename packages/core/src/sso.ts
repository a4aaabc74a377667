import { SessiondError } from './errors.ts';
import { sessionEvent } from './events.ts';
import { normalizeEmail } from './passwords.ts';
import type { Sessiond } from './sessiond.ts';
import type { SignedIn } from './sign-in.ts';
import { hashSecret } from './tokens.ts';
import { newUser } from './users.ts';
import type { SessionRecord, SsoLink, UserRecord } from './types.ts';

/** What the relying party learnt from a validated ID token, and where the session is for. */
export interface ProviderSignIn {
  link: SsoLink;
  /** The `email` claim, when the provider sent one. */
  email: string | null;
  /** `email_verified === true`: only then may the email find an existing account. */
  emailVerified: boolean;
  linkByEmail: boolean;
  app: string;
  mode: 'cookie' | 'token';
  ip: string | null;
  userAgent: string | null;
  /** This browser's id (SPEC §13), so an SSO session joins its browser's row like any other. */
  browserId?: string | null;
}

/** Which provider session a back-channel logout token names (already verified by the server). */
export interface ProviderLogout {
  issuer: string;
  /** The provider's label, for the ending's message. */
  label: string;
  sid: string | null;
  subject: string | null;
}

/**
 * Accounts found by `(issuer, subject)`, never by a claim the provider does not vouch for, and the
 * endings the provider causes (SPEC §15). Speaks identities, not OpenID Connect: the server's
 * relying party has validated every token before it gets here.
 */
export class SsoAccounts {
  constructor(private readonly sd: Sessiond) {}

  async signIn(input: ProviderSignIn): Promise<SignedIn> {
    this.sd.requireRegisteredApp(input.app);
    const { store, clock } = this.sd;
    const { issuer, subject, provider } = input.link;
    const user = await this.personFor(input);
    if (user.disabledAt !== null) throw new SessiondError('forbidden.account_disabled');
    // First writer wins: two callbacks racing for one new person share the account linked first.
    const linked = await store.linkIdentity({ issuer, subject, userId: user.id, provider, createdAt: clock.now() });
    const owner = linked.userId === user.id ? user : await this.sd.users.get(linked.userId);
    const signedIn = await this.sd.startFor(owner, { rememberMe: false, app: input.app, mode: input.mode, ip: input.ip, userAgent: input.userAgent, browserId: input.browserId ?? null, sso: input.link, authMethods: ['sso'] });
    if (input.link.sid) await store.addProviderSession(issuer, input.link.sid, signedIn.session.id, signedIn.session.purgeAt, clock.now());
    return signedIn;
  }

  private async personFor(input: ProviderSignIn): Promise<UserRecord> {
    const { store, clock } = this.sd;
    const { issuer, subject } = input.link;
    const identity = await store.findIdentity(issuer, subject);
    if (identity) {
      const user = await store.findUserById(identity.userId);
      if (user) return user;
    }
    // Unverified, an email says nothing about who holds it: it neither finds an account nor names a
    // new one (which would take the address from its real owner).
    const email = input.email && input.emailVerified ? normalizeEmail(input.email) : null;
    if (email) {
      const existing = await store.findUserByEmail(email);
      // An unverified email, or linking not turned on, must never hand over an existing account:
      // anyone can put anyone's address in their profile at some providers.
      if (existing && input.linkByEmail && input.emailVerified) return existing;
      if (existing) throw new SessiondError('email_taken.sso');
    }
    const now = clock.now();
    // No (verified) email from the provider: a unique placeholder no mail can reach (RFC 2606
    // .invalid). No password: the account signs in through its provider (a password sign-in is
    // refused like a wrong one).
    const user = newUser(email ?? `${hashSecret(`${issuer} ${subject}`).slice(0, 24).toLowerCase()}@sso.invalid`, null, now);
    await store.createUser(user);
    await store.recordEvent({ type: 'user.created', at: now, userId: user.id, sessionId: null, ip: null, reason: null, data: { provider: input.link.provider } });
    return user;
  }

  /**
   * Back-channel logout: the sessions of the provider session `sid`, else every session of the
   * provider account `(issuer, subject)`, end with `sso_logout`. Returns those it ended.
   */
  async logout(logout: ProviderLogout): Promise<SessionRecord[]> {
    const { store, clock } = this.sd;
    const candidates: SessionRecord[] = [];
    if (logout.sid) {
      for (const id of await store.providerSessions(logout.issuer, logout.sid, clock.now())) {
        const s = await store.findSession(id);
        // The index only points; the record itself must agree (issuer, sid and, when sent, subject).
        if (s?.sso && s.sso.issuer === logout.issuer && s.sso.sid === logout.sid && (logout.subject === null || s.sso.subject === logout.subject)) candidates.push(s);
      }
    } else if (logout.subject) {
      const identity = await store.findIdentity(logout.issuer, logout.subject);
      if (identity) {
        for (const s of await this.sd.sessions.list(identity.userId)) if (s.sso?.issuer === logout.issuer && s.sso.subject === logout.subject) candidates.push(s);
      }
    }
    const ended: SessionRecord[] = [];
    for (const s of candidates) {
      const e = await this.sd.sessions.end(s.id, 'sso_logout', { provider: logout.label });
      if (e) ended.push(e);
    }
    return ended;
  }

  /**
   * Step-up through the provider: a fresh authentication there of the same provider account renews
   * this session's token and its authenticatedAt, as re-entering a password does.
   */
  async reauthenticate(current: SessionRecord, issuer: string, subject: string): Promise<{ session: SessionRecord; token: string }> {
    if (!current.sso || current.sso.issuer !== issuer || current.sso.subject !== subject) throw new SessiondError('forbidden.sso_other_account');
    const renewed = await this.sd.sessions.renewToken(current, ['sso']);
    await this.sd.store.recordEvent(sessionEvent('session.reauthenticated', renewed.session, this.sd.clock.now(), { data: { provider: current.sso.provider } }));
    return renewed;
  }

  /** The provider refused to refresh its tokens: the session it vouched for ends (`sso_ended`). */
  ended(session: SessionRecord): Promise<SessionRecord | null> {
    return this.sd.sessions.end(session.id, 'sso_ended', { provider: session.sso?.label ?? '' });
  }
}
