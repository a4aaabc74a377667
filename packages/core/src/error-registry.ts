import type { EndReason } from './types.ts';

/**
 * Every error sessiond answers, one line each: key → [HTTP status, the sentence a person reads].
 * A key is a wire `code` (SPEC §5), or `code.variant` for a more precise sentence under the same
 * code. `{name}` marks a fact the call site supplies; the type of `new SessiondError(key, …)`
 * requires exactly those facts, and accepts no sentence of its own.
 */
export const ERRORS = {
  invalid_request: [400, 'The request was not understood. Please check what was sent.'],
  'invalid_request.missing_field': [400, '"{field}" is required.'],
  'invalid_request.unknown_field': [400, '"{field}" is not a known field.'],
  'invalid_request.invalid_field': [400, '"{field}" {problem}.'],
  'invalid_request.invalid_body': [400, 'The request body {problem}.'],
  'invalid_request.empty_body': [400, 'The request body is empty; send a JSON object.'],
  'invalid_request.malformed_json': [400, 'The request body is not valid JSON.'],
  'invalid_request.body_too_large': [413, 'The request body is larger than 16 KiB.'],
  'invalid_request.too_large': [413, 'The request is too large.'],
  'invalid_request.session_data_too_large': [413, 'Session data may hold at most 16 KiB of JSON.'],
  'invalid_request.if_match': [400, 'Send If-Match with the version you read (GET /v1/session/data answers it).'],
  'invalid_request.not_json': [415, 'Send the request body as JSON (Content-Type: application/json).'],
  'invalid_request.headers_too_large': [431, 'The request headers are too large.'],
  'invalid_request.too_slow': [408, 'The request took too long to arrive.'],
  'invalid_request.not_understood': [400, 'The request was not understood.'],
  'invalid_request.webhook_url': [400, '"url" must be an http(s) URL without user name or password.'],
  'invalid_request.not_an_ip': [400, '"{field}" is not an IP address.'],
  'invalid_request.invalid_header': [400, 'The {header} header {problem}.'],
  'invalid_request.unknown_app': [400, '"{app}" is not a registered app.'],
  'invalid_request.token_mode_off': [400, 'Token mode is not available on this server.'],
  'invalid_request.email': [400, 'Enter a valid email address.'],
  'invalid_request.password_too_short': [400, 'Use at least {min} characters.'],
  'invalid_request.password_too_long': [400, 'Use at most {max} characters.'],
  'invalid_request.password_is_email': [400, 'Do not use your email address as your password.'],
  'invalid_request.common_password': [400, 'This is one of the most common passwords, so it is among the first an attacker tries. Choose another: a few unrelated words make a strong one.'],
  'invalid_request.totp_on_setup': [400, 'Two-factor sign-in is already on. Turn it off first to set it up again.'],
  'invalid_request.totp_already_on': [400, 'Two-factor sign-in is already on.'],
  'invalid_request.totp_not_set_up': [400, 'Set up two-factor sign-in first.'],
  'invalid_request.totp_not_on': [400, 'Two-factor sign-in is not on.'],
  'invalid_request.totp_setup_code': [400, 'That code is not correct. Check the time on your phone and try again.'],
  'invalid_request.totp_code': [400, 'That code is not correct.'],
  unauthenticated: [401, 'Please sign in to continue.'],
  'unauthenticated.admin': [401, 'This needs "Authorization: Bearer <admin token or app key>".'],
  invalid_token: [401, 'Your sign-in is not valid any more. Please sign in again.'],
  'invalid_token.access_token': [401, 'Your sign-in is not valid any more. Please refresh it or sign in again.'],
  'invalid_token.damaged': [401, 'Your sign-in information in this browser was damaged, so it could not be used. Please sign in again.'],
  'invalid_token.bearer_format': [401, 'The Authorization header must be "Bearer <token>".'],
  // With a reason, the message is that reason's sentence from ENDINGS below.
  session_ended: [401, 'Your session has ended. Please sign in again.'],
  invalid_credentials: [401, 'The email or password is not correct.'],
  'invalid_credentials.current_password': [401, 'Your current password is not correct.'],
  'invalid_credentials.password': [401, 'That password is not correct.'],
  'invalid_credentials.totp': [401, 'That code is not correct. Enter the current code from your authenticator app.'],
  'invalid_credentials.reauth_totp': [401, 'That code is not correct.'],
  'invalid_credentials.choice': [401, 'That choice has expired or was already used. Please sign in again.'],
  totp_required: [401, 'Enter the 6-digit code from your authenticator app.'],
  reauth_required: [403, 'For your security, please confirm your password to continue.'],
  csrf_failed: [403, 'This request came from another site and was blocked to protect your account.'],
  forbidden: [403, 'You do not have permission to do that.'],
  'forbidden.admin_key': [403, 'That admin token or app key is not valid.'],
  'forbidden.admin_only': [403, 'Only the admin token may do this.'],
  'forbidden.scope': [403, 'This app key lacks the scope {scope}.'],
  'forbidden.other_app': [403, 'This app key starts sessions for "{app}" only.'],
  'forbidden.relay_key': [403, 'The X-Sessiond-App-Key header does not hold a valid app key.'],
  'forbidden.relay_other_app': [403, 'This app key relays requests for "{app}" sessions only.'],
  'forbidden.configured_webhook': [403, 'This webhook is defined in SESSIOND_CONFIG; remove it there.'],
  'forbidden.sso_other_account': [403, 'You confirmed your identity with a different account at your organisation. Sign in again with the account of this session.'],
  'forbidden.user_disabled': [403, 'This account is disabled.'],
  'forbidden.account_disabled': [403, 'This account has been disabled. Please contact an administrator.'],
  'forbidden.signup_closed': [403, 'Sign-up is closed. Ask an administrator for an account.'],
  not_found: [404, 'That was not found.'],
  'not_found.route': [404, 'There is nothing at this address.'],
  'not_found.app': [404, '"{app}" is not a registered app.'],
  'not_found.user': [404, 'No such user.'],
  'not_found.app_key': [404, 'No such key for this app.'],
  'not_found.session': [404, 'That session was not found. It may have ended already.'],
  'not_found.device': [404, 'That device was not found. It may have been removed already.'],
  'not_found.webhook': [404, 'No such webhook.'],
  email_taken: [409, 'An account with this email already exists. Try signing in instead.'],
  'email_taken.external_id': [409, 'Another account already has this email address, so no account was made for this external id.'],
  external_id_conflict: [409, 'The account with this external id has another email address; it was not changed.'],
  'email_taken.sso': [409, 'An account with the email your organisation gave already exists here. Sign in with your password instead, or ask an administrator to link the accounts.'],
  current_session: [409, 'This is the session you are using now. Use "Log out" to end it.'],
  concurrent_limit: [409, 'You are signed in on too many devices. Sign out of one to continue.'],
  'concurrent_limit.full': [409, 'You are already signed in on {devices}, the most this app allows. Sign out on one of them, or from Active sessions, then try again.'],
  'concurrent_limit.full_oldest': [409, 'You are already signed in on {devices}, the most this app allows. Sign out on one of them (for example {oldest}), or from Active sessions, then try again.'],
  'concurrent_limit.choose': [409, "You're signed in on {devices}, the most this app allows. Choose one to sign out, and you will be signed in here."],
  // For main's app-key ceiling refusal in sessions.ts (merged after this branch was cut).
  'concurrent_limit.account_full': [409, "This account already has {accountLimit} sessions, the most it may have, and too few of them are this app's to make room. The person can sign out elsewhere, then try again."],
  version_conflict: [412, 'This was changed elsewhere (another tab or device) since you loaded it. Load it again, then retry your change.'],
  rate_limited: [429, 'Too many attempts. Please wait a moment and try again.'],
  'rate_limited.signin_pair': [429, 'Too many failed sign-in attempts. Please wait {wait} and try again, or reset your password.'],
  'rate_limited.signin_slowdown': [429, 'This account is receiving many failed sign-in attempts, so each try from here must wait a little longer. Please wait {wait} and try again.'],
  'rate_limited.signup': [429, 'Too many sign-ups from your network. Please wait {wait} and try again.'],
  'rate_limited.push_user': [429, 'Too many windows are listening for this account. Close some and try again.'],
  'rate_limited.push_node': [429, 'The server is busy. Please try again shortly.'],
  provider_unavailable: [503, 'Your organisation\'s sign-in ({provider}) cannot be reached right now. Your session is safe; please try again shortly.'],
  'not_found.oidc_provider': [404, 'There is no sign-in provider called "{provider}".'],
  'invalid_request.oidc_callback': [400, 'The sign-in with your organisation could not be completed ({problem}). Please start again.'],
  'invalid_request.logout_token': [400, 'The logout token was refused: {problem}.'],
  store_unavailable: [503, 'The service is temporarily unavailable. Your session is safe; please try again shortly.'],
  /** A defect, never expected: logged, and answered without details. */
  internal_error: [500, 'Something went wrong on our side. Your session is safe; please try again.'],
} as const satisfies Record<string, readonly [number, string]>;

/**
 * Why a session ended, as `session_ended` and the push channel tell it: key → sentence. A key is
 * an EndReason, or `reason.variant` when a fact (e.g. which device) may be unknown.
 */
export const ENDINGS = {
  idle_timeout: 'You were signed out after {idle} without activity.',
  absolute_timeout: 'Sessions last at most {absolute}. Please sign in again.',
  logged_out: 'You signed out.',
  revoked: 'You were signed out from another of your sessions.',
  'revoked.by_device': 'You were signed out from another of your sessions ({device}).',
  revoked_all: 'You signed out of all sessions.',
  'revoked_all.by_device': 'You signed out of all sessions from {device}.',
  revoked_by_admin: 'An administrator ended your sessions.',
  password_changed: 'Your password was changed, so this session was signed out.',
  concurrent_limit: 'You signed in on another device, and this app allows at most {sessions} at a time.',
  'concurrent_limit.by_device': 'You signed in on another device ({device}), and this app allows at most {sessions} at a time.',
  'concurrent_limit.account': 'You signed in on another device, and an account can have at most {accountLimit} sessions at a time, so the oldest was signed out.',
  'concurrent_limit.account_by_device': 'You signed in on another device ({device}), and an account can have at most {accountLimit} sessions at a time, so the oldest was signed out.',
  ip_changed: 'Your network changed, and this app requires you to stay on the same network. Please sign in again.',
  device_changed: 'Your browser or device changed, and this app requires the same one. Please sign in again.',
  refresh_token_reused: 'An old sign-in credential was used again, so we signed you out to protect your account.',
  global_logout: 'All sessions were ended for security maintenance. Please sign in again.',
  sso_logout: "Your organisation's sign-in signed you out.",
  'sso_logout.by_provider': "Your organisation's sign-in ({provider}) signed you out.",
  sso_ended: "Your organisation's sign-in ended your session.",
  'sso_ended.by_provider': "Your organisation's sign-in ({provider}) ended your session.",
} as const satisfies Record<EndReason, string> & Record<string, string>;

export type ErrorKey = keyof typeof ERRORS;
/** The wire `code`: the key without its variant. */
export type CodeOf<K extends string> = K extends `${infer C}.${string}` ? C : K;
export type ErrorCode = CodeOf<ErrorKey>;
export type EndingKey = keyof typeof ENDINGS;

/** The `{name}`s of a sentence. */
export type Placeholders<S extends string> = S extends `${string}{${infer P}}${infer Rest}` ? P | Placeholders<Rest> : never;
export type Fact = string | number;
export type FactsOf<S extends string> = Record<Placeholders<S>, Fact>;
export type ErrorFacts<K extends ErrorKey> = FactsOf<(typeof ERRORS)[K][1]>;
export type EndingFacts<K extends EndingKey> = FactsOf<(typeof ENDINGS)[K]>;

declare const rendered: unique symbol;
/** A reason's sentence with its facts filled in: only `endingText` makes one. */
export type EndingText = string & { readonly [rendered]: true };

export const codeOf = <K extends ErrorKey>(key: K): CodeOf<K> => key.split('.', 1)[0] as CodeOf<K>;
export const statusOf = (key: ErrorKey): number => ERRORS[key][0];

export function render(template: string, facts: Partial<Record<string, Fact>> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (facts[name] === undefined ? whole : String(facts[name])));
}

export const errorText = (key: ErrorKey, facts?: Partial<Record<string, Fact>>): string => render(ERRORS[key][1], facts);

export function endingText<K extends EndingKey>(key: K, ...[facts]: [Placeholders<(typeof ENDINGS)[K]>] extends [never] ? [] : [EndingFacts<K>]): EndingText {
  return render(ENDINGS[key], facts) as EndingText;
}
