import { Type } from 'typebox';
import { appName, errors, mode, NoContent, ref } from '../shared.ts';
import { SignedInTokens } from './auth.ts';

/** Sign-in through an organisation's identity provider (SPEC §15). */

const providerParam = Type.Object({ provider: Type.String({ minLength: 1, maxLength: 64 }) });
const redirect = (description: string) => ({ description, type: 'null' as const });

export const Provider = Type.Object(
  {
    name: Type.String({ description: 'The configured name (oidc.providers.<name>).' }),
    label: Type.String({ description: 'Shown as "Sign in with <label>".' }),
    startUrl: Type.String({ description: 'GET it in the browser (add ?app=&next=) to sign in through this provider.' }),
  },
  { additionalProperties: false },
);

export const providers = {
  summary: 'The identity providers people may sign in through (for the sign-in page)',
  response: { 200: Type.Object({ providers: Type.Array(Provider) }, { additionalProperties: false }), ...errors() },
};

export const start = {
  summary: 'Start signing in through an identity provider: redirects there (authorization code with PKCE, state, nonce)',
  params: providerParam,
  querystring: Type.Object({
    app: Type.Optional(appName),
    next: Type.Optional(Type.String({ maxLength: 2048, description: 'Where to go afterwards; our own origin only, else "/".' })),
    mode: Type.Optional({ ...mode, description: '`token`: the page at `next` then takes its tokens with POST /v1/oidc/tokens (no cookie session).' }),
    reauth: Type.Optional(Type.Literal('1', { description: "Step-up: the provider is asked to authenticate the person again (prompt=login, max_age=0); the callback renews this browser's SSO session instead of starting one." })),
    retry: Type.Optional(Type.Literal('1', { description: "Set by sessiond itself when it starts again after the provider's keys changed." })),
  }),
  response: { 302: redirect("To the provider's authorization endpoint."), ...errors(404) },
};

export const callback = {
  summary: "The provider's answer: validated (OpenID Connect Core), then a session starts and the browser goes to `next`",
  params: providerParam,
  // The authorization response (RFC 6749 §4.1.2, RFC 9207); providers may add parameters of their own.
  querystring: Type.Object(
    {
      code: Type.Optional(Type.String({ maxLength: 4096 })),
      state: Type.Optional(Type.String({ maxLength: 512 })),
      iss: Type.Optional(Type.String({ maxLength: 2048 })),
      error: Type.Optional(Type.String({ maxLength: 256 })),
      error_description: Type.Optional(Type.String({ maxLength: 2048 })),
    },
    { additionalProperties: true },
  ),
  response: { 303: redirect("To `next`, signed in (session cookie set); or once to `start` again when the provider's keys changed."), ...errors(403, 404, 409) },
};

export const backchannelLogout = {
  summary: 'OpenID Connect Back-Channel Logout 1.0: the provider ends the sessions of one of its sessions (sso_logout)',
  params: providerParam,
  body: Type.Object({ logout_token: Type.String({ minLength: 1, maxLength: 16384 }) }, { description: 'application/x-www-form-urlencoded' }),
  response: { 200: { ...NoContent, description: 'The matching sessions ended (none is also a success); no body.' }, ...errors(404) },
};

export const endSession = {
  summary: "Where to send the browser after signing out of an SSO session, to sign out at the provider too (RP-initiated logout; endSessionAtProvider)",
  response: {
    200: Type.Object(
      { endSessionUrl: Type.Union([Type.String(), Type.Null()], { description: "The provider's end_session_endpoint with id_token_hint; null when this session is not one the provider should end." }) },
      { additionalProperties: false },
    ),
    ...errors(401),
  },
};

export const tokens = {
  summary: 'Token mode after an SSO sign-in (start?mode=token): the page at `next` takes the tokens, once, within a minute',
  response: { 200: ref(SignedInTokens), ...errors(403) },
};
