import { publicUser, SessiondError, type SignedIn } from '@sessiond/core';
import { auth as C } from '@sessiond/contract';
import type { FastifyReply } from 'fastify';
import type { ContractInstance } from '../contract/openapi.ts';
import type { AppContext } from '../context.ts';
import { authenticate, requestContext, setDeviceCookie, setSessionCookie } from '../http/auth.ts';
import { browserOf, readBrowserCookie, setBrowserCookie } from '../http/browser-cookie.ts';
import { readCookie } from '../http/cookies.ts';
import { requireRelayFor } from '../http/relayed-client.ts';
import { viewOf } from '../http/views.ts';

/** Sign-up, sign-in, password change and two-factor set-up. */
export async function authRoutes(f: ContractInstance, app: AppContext): Promise<void> {
  const auth = authenticate(app);

  f.post(
    '/v1/signup',
    { schema: C.signup },
    async (req, reply) => {
      if (app.config.signup === 'closed') throw new SessiondError('forbidden.signup_closed');
      const user = await app.sessiond.signUp(req.body.email, req.body.password, requestContext(req).ip);
      return reply.code(201).send({ user: publicUser(user) });
    },
  );

  f.post(
    '/v1/login',
    { schema: C.login },
    async (req, reply) => {
      const ctx = requestContext(req);
      requireRelayFor(req, req.body.app ?? 'web');
      const mode = requireMode(app, req.body.mode ?? 'cookie');
      if (req.body.choiceToken !== undefined) {
        // The second step of a sign-in at the device limit: it came from this browser's cookie.
        if (req.body.endSessionId === undefined) throw new SessiondError('invalid_request.missing_field', { facts: { field: 'endSessionId' }, details: { field: 'endSessionId' } });
        const browser = readBrowserCookie(req, app);
        // The question came with this browser's cookie (set on the 409 when it had none): a
        // cookie-mode browser that sends none back refused or dropped it, and would be asked again
        // and again. Said as such, so the page can tell the person their browser blocks cookies.
        if (!browser && mode === 'cookie') throw new SessiondError('invalid_credentials.choice', { details: { field: 'choiceToken', browserCookie: 'missing' } });
        const signedIn = await app.sessiond.completeChoice({
          choiceToken: req.body.choiceToken,
          endSessionId: req.body.endSessionId,
          browserId: browser?.browserId ?? null,
          previousSessionId: browser?.lastSessionId ?? null,
          ip: ctx.ip,
          userAgent: ctx.userAgent,
          ...(req.relayedClient ? { relayedFor: req.relayedClient.app } : {}),
        });
        return sendSignedIn(app, reply, signedIn, signedIn.session.mode === 'cookie' ? browser!.browserId : null);
      }
      for (const field of ['email', 'password'] as const) {
        if (req.body[field] === undefined) throw new SessiondError('invalid_request.missing_field', { facts: { field }, details: { field } });
      }
      // Token mode sets no cookie (SPEC §4): a browser cookie it happens to carry still groups it.
      const browser = mode === 'cookie' ? browserOf(req, app) : readBrowserCookie(req, app);
      let signedIn: SignedIn;
      try {
        signedIn = await app.sessiond.signIn({
          email: req.body.email!,
          password: req.body.password!,
          totp: req.body.totp,
          rememberMe: req.body.rememberMe === true,
          app: req.body.app ?? 'web',
          mode,
          ip: ctx.ip,
          userAgent: ctx.userAgent,
          deviceToken: readCookie(req.headers.cookie, app.cookieNames.device),
          browserId: browser?.browserId ?? null,
          previousSessionId: browser?.lastSessionId ?? null,
        });
      } catch (e) {
        if (e instanceof SessiondError && e.code === 'invalid_credentials') app.metrics.loginFailures.inc();
        // A choice is bound to this browser: a browser new to sessiond gets its cookie with the question.
        if (e instanceof SessiondError && e.details?.choiceToken && browser) setBrowserCookie(reply, app, browser.browserId, browser.lastSessionId);
        throw e;
      }
      return sendSignedIn(app, reply, signedIn, mode === 'cookie' ? browser!.browserId : null);
    },
  );

  f.post(
    '/v1/password',
    { preHandler: auth, schema: C.changePassword },
    async (req, reply) => {
      const current = req.session!;
      const renewed = await app.sessiond.changePassword(current, req.body.currentPassword, req.body.newPassword);
      if (req.credentialKind === 'cookie') setSessionCookie(reply, app, renewed.token, cookieMaxAge(app, renewed.session));
      return reply.header('cache-control', 'no-store').send({ session: viewOf(app, renewed.session, current.id), token: renewed.token });
    },
  );

  f.post(
    '/v1/session/reauth',
    { preHandler: auth, schema: C.reauthenticate },
    async (req, reply) => {
      const renewed = await app.sessiond.reauthenticate(req.session!, req.body.password, req.body.totp);
      if (req.credentialKind === 'cookie') setSessionCookie(reply, app, renewed.token, cookieMaxAge(app, renewed.session));
      return reply.header('cache-control', 'no-store').send({ session: viewOf(app, renewed.session, renewed.session.id), token: renewed.token });
    },
  );

  f.post('/v1/totp/setup', { preHandler: auth, schema: C.totpSetup }, async (req, reply) => {
    const setup = await app.sessiond.setupTotp(req.session!);
    const { toDataURL } = await import('qrcode');
    const qrCode = await toDataURL(setup.otpauthUrl, { margin: 1, width: 200 });
    return reply.header('cache-control', 'no-store').send({ ...setup, qrCode });
  });

  f.post('/v1/totp/enable', { preHandler: auth, schema: C.totpEnable }, async (req, reply) => {
    const result = await app.sessiond.enableTotp(req.session!, req.body.code.trim());
    return reply.header('cache-control', 'no-store').send({ enabled: true, recoveryCodes: result.recoveryCodes });
  });

  f.post('/v1/totp/disable', { preHandler: auth, schema: C.totpDisable }, async (req) => {
    await app.sessiond.disableTotp(req.session!, req.body.code.trim());
    return { enabled: false };
  });
}

/** Seconds the cookie should persist: only "Keep me signed in" sessions outlive the browser. */
function cookieMaxAge(app: AppContext, s: { rememberMe: boolean; absoluteExpiresAt: number }): number | undefined {
  return s.rememberMe ? Math.max(0, (s.absoluteExpiresAt - app.sessiond.clock.now()) / 1000) : undefined;
}

/** A mode this server offers, checked before any session starts in it. */
export function requireMode(app: AppContext, mode: 'cookie' | 'token'): 'cookie' | 'token' {
  if (mode === 'token' && !app.tokenMode) throw new SessiondError('invalid_request.token_mode_off', { details: { field: 'mode' } });
  return mode;
}

/** The login answer, shared by /v1/login and the admin's session start. */
export async function sendSignedIn(app: AppContext, reply: FastifyReply, signedIn: SignedIn, browserId: string | null = null): Promise<FastifyReply> {
  const { session, user, token } = signedIn;
  reply.header('cache-control', 'no-store');
  app.metrics.sessionsStarted.inc({ app: session.app });
  if (session.mode === 'token') {
    // No cookie in token mode: the client keeps its tokens itself.
    const tokens = await app.tokenMode!.issueFor(session);
    return reply.send({ user: publicUser(user), session: viewOf(app, session, session.id), ...tokens });
  }
  setSessionCookie(reply, app, token, cookieMaxAge(app, session));
  if (signedIn.deviceToken) setDeviceCookie(reply, app, signedIn.deviceToken);
  // After the session's own cookie; it names the session this browser now holds (browser-cookie.ts).
  if (browserId) setBrowserCookie(reply, app, browserId, session.id);
  return reply.send({ user: publicUser(user), session: viewOf(app, session, session.id), token });
}
