import { Type } from 'typebox';
import { appName, email, errors, iso, mode, password, PublicUser, ref, secondFactorCode, SessionView } from '../shared.ts';

/** Sign-up, sign-in, password change, step-up and two-factor set-up (SPEC §4). */

const credentials = Type.Object({ email, password }, { additionalProperties: false });

/** The cookie-mode sign-in answer; the cookie carries the same token. */
export const SignedInCookie = Type.Object({ user: ref(PublicUser), session: ref(SessionView), token: Type.String() }, { $id: 'SignedInCookie', additionalProperties: false });
/** The token-mode sign-in answer: no cookie, the client keeps its tokens. */
export const SignedInTokens = Type.Object(
  { user: ref(PublicUser), session: ref(SessionView), accessToken: Type.String(), accessTokenExpiresAt: iso, refreshToken: Type.String() },
  { $id: 'SignedInTokens', additionalProperties: false },
);
export const SignedIn = Type.Union([ref(SignedInCookie), ref(SignedInTokens)]);

/** A new token for this session (password change, step-up); the cookie is renewed too. */
const RenewedSession = Type.Object({ session: ref(SessionView), token: Type.String() }, { additionalProperties: false });

export const signup = {
  summary: 'Create a user (when sign-up is open)',
  body: credentials,
  response: { 201: Type.Object({ user: ref(PublicUser) }, { additionalProperties: false }), ...errors(403, 409, 429) },
};

export const login = {
  summary: 'Sign in: a new session',
  description:
    'Cookie mode sets the session cookie; with mode "token" the answer carries an access and a refresh token and no cookie. Send email and password; or, after a 409 concurrent_limit that offered a choice (SESSIOND_ON_MAX_SESSIONS=choose), choiceToken and endSessionId from the same browser: the chosen session ends and this sign-in completes.',
  body: Type.Object(
    {
      email: Type.Optional(email),
      password: Type.Optional(password),
      rememberMe: Type.Optional(Type.Boolean()),
      app: Type.Optional(appName),
      totp: Type.Optional(secondFactorCode),
      mode: Type.Optional(mode),
      choiceToken: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, description: 'details.choiceToken of the 409 concurrent_limit answer; single use, 5 minutes.' })),
      endSessionId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Which of details.sessions to sign out.' })),
    },
    { additionalProperties: false },
  ),
  response: { 200: SignedIn, ...errors(401, 403, 409, 429) },
};

export const changePassword = {
  summary: 'Change the password; other sessions end (password_changed)',
  body: Type.Object({ currentPassword: password, newPassword: password }, { additionalProperties: false }),
  response: { 200: RenewedSession, ...errors(401, 403, 429) },
};

export const reauthenticate = {
  summary: 'Step-up: prove the password (and second factor) again',
  body: Type.Object({ password, totp: Type.Optional(secondFactorCode) }, { additionalProperties: false }),
  response: { 200: RenewedSession, ...errors(401, 403, 429) },
};

export const totpSetup = {
  summary: 'Start two-factor set-up: a new secret and its QR code',
  response: {
    200: Type.Object({ secret: Type.String(), otpauthUrl: Type.String(), qrCode: Type.String({ description: 'A data: URL of a PNG.' }) }, { additionalProperties: false }),
    ...errors(401, 403),
  },
};

const code = Type.Object({ code: secondFactorCode }, { additionalProperties: false });

export const totpEnable = {
  summary: 'Turn two-factor sign-in on with a first code; answers the recovery codes once',
  body: code,
  response: { 200: Type.Object({ enabled: Type.Boolean(), recoveryCodes: Type.Array(Type.String()) }, { additionalProperties: false }), ...errors(401, 403, 429) },
};

export const totpDisable = {
  summary: 'Turn two-factor sign-in off',
  body: code,
  response: { 200: Type.Object({ enabled: Type.Boolean() }, { additionalProperties: false }), ...errors(401, 403, 429) },
};

