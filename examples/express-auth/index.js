/**
 * Express's own examples/auth — a login form, a restricted page, logout — with sessiond keeping the
 * sessions instead of express-session. Run sessiond, make an app key, then:
 *
 *   npm run build    # once: @sessiond/node and its dependencies to JavaScript (npm start does it too)
 *   SESSIOND_URL=http://127.0.0.1:4000 SESSIOND_APP_KEY=sak_… PORT=3000 npm start -w examples/express-auth
 *
 * Plain JavaScript on plain node: outside this repository, `npm install express @sessiond/node`.
 *
 * What changes against the express-session version: `restrict` is `expressGuard(guard)`; the
 * password is checked by sessiond (`guard.signIn`), not by the app; a session ended anywhere (the
 * person's Active sessions page, an administrator, a timeout) is refused here within a second,
 * and the page says why.
 */
import express from 'express';
import { createSessionGuard, expressGuard } from '@sessiond/node';
import { mountSessiondProxy } from './proxy.js';

const sessiondUrl = process.env.SESSIOND_URL ?? 'http://127.0.0.1:4000';
/**
 * Set (e.g. `/auth`, with sessiond's SESSIOND_PUBLIC_URL=http://localhost:3000/auth): sessiond's
 * pages and API are served on this origin under that path, and people sign in on sessiond's own
 * page; the guard then reads the cookie sessiond set. Unset: this app's own login form.
 */
const behindPath = process.env.SESSIOND_BEHIND_PATH || null;
const guard = createSessionGuard({
  url: sessiondUrl,
  // `sessiond apps keys create web --label express-auth --scopes events:read`
  appKey: process.env.SESSIOND_APP_KEY,
  app: 'web',
  onFeedError: (e) => console.warn('sessiond events feed:', String(e)),
});

const app = express();
// Behind a proxy set this, so req.ip (which the guard passes to sessiond) is the person's address.
if (process.env.TRUST_PROXY) app.set('trust proxy', process.env.TRUST_PROXY);
// Before the body parser: the proxy passes the request body on as it came.
if (behindPath) mountSessiondProxy(app, behindPath, sessiondUrl);
app.use(express.urlencoded({ extended: false }));

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const page = (title, body) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head><body><main>${body}</main></body></html>`;
/** Only a path of this site: `next` comes from the query string, and must not send anyone elsewhere. */
const safeNext = (next) => (typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/restricted');

/** Login CSRF and logout CSRF: a form post must come from this site (the cookie is also SameSite=Lax). */
function sameOrigin(req, res, next) {
  const origin = req.get('origin');
  if (origin && origin !== `${req.protocol}://${req.get('host')}`) return res.status(403).send(page('Forbidden', '<p>Cross-site form posts are refused.</p>'));
  next();
}

/** As express's `restrict`: no session → the login form; a session that ended → a page saying why. */
const restrict = expressGuard(guard, {
  onRefused(refusal, req, res) {
    const { code, message } = refusal.body.error;
    const signIn = `${behindPath ?? ''}/login?next=${encodeURIComponent(req.originalUrl)}`;
    if (code === 'unauthenticated') return res.redirect(signIn);
    const again = `<p><a href="${escape(signIn)}">Sign in again</a></p>`;
    res.status(refusal.status).send(page('Signed out', `<h1>${code === 'session_ended' ? 'You were signed out' : 'Please try again'}</h1><p role="alert">${escape(message)}</p>${refusal.status === 503 ? '' : again}`));
  },
});

app.get('/', (_req, res) => res.redirect(`${behindPath ?? ''}/login?next=%2Frestricted`));

app.get('/restricted', restrict, (req, res) => {
  const { user, session } = req.sessiond;
  res.send(
    page(
      'Restricted area',
      `<h1>Restricted area</h1><p>Wahoo! Signed in as ${escape(user.email)} on ${escape(session.device.label)}.</p>` +
        `<form method="post" action="/logout"><button>Log out</button></form>`,
    ),
  );
});

app.get('/login', async (req, res) => {
  // Arrived after an ending elsewhere (`?reason=idle_timeout`): say why, with sessiond's numbers.
  const reason = typeof req.query.reason === 'string' ? await guard.reasonMessage(req.query.reason) : null;
  res.send(loginPage({ next: safeNext(req.query.next), notice: reason }));
});

app.post('/login', sameOrigin, async (req, res) => {
  const next = safeNext(req.body.next);
  const answer = await guard.signIn(
    { email: String(req.body.email ?? ''), password: String(req.body.password ?? ''), rememberMe: req.body.rememberMe === 'on', ...(req.body.totp ? { totp: String(req.body.totp) } : {}) },
    { ip: req.ip, userAgent: req.get('user-agent') },
  );
  if (!answer.ok) {
    const { code, message } = answer.refusal.body.error;
    return res.status(answer.refusal.status).send(loginPage({ next, error: message, email: req.body.email, askCode: code === 'totp_required' }));
  }
  // sessiond's own Set-Cookie is for its origin; the app sets the token in its own cookie.
  res.append('Set-Cookie', answer.value.setCookie).redirect(303, next);
});

app.post('/logout', sameOrigin, async (req, res) => {
  const out = await guard.signOut({ authorization: null, cookie: req.get('cookie'), ip: req.ip, userAgent: req.get('user-agent') });
  // Not sessiond's `Clear-Site-Data: "cookies"`: on this origin it would erase the app's every cookie.
  res.append('Set-Cookie', out.setCookie).redirect(303, `${behindPath ?? ''}/login?reason=logged_out`);
});

function loginPage({ next, notice = null, error = null, email = '', askCode = false }) {
  return page(
    'Sign in',
    `<h1>Sign in</h1>` +
      (notice ? `<p role="status">${escape(notice)}</p>` : '') +
      (error ? `<p role="alert">${escape(error)}</p>` : '') +
      `<form method="post" action="/login">` +
      `<input type="hidden" name="next" value="${escape(next)}">` +
      `<p><label>Email <input name="email" type="email" autocomplete="username" required value="${escape(email)}"></label></p>` +
      `<p><label>Password <input name="password" type="password" autocomplete="current-password" required></label></p>` +
      (askCode ? `<p><label>Code from your authenticator app <input name="totp" inputmode="numeric" autocomplete="one-time-code" required></label></p>` : '') +
      `<p><label><input name="rememberMe" type="checkbox"> Keep me signed in</label> (not on shared or public computers)</p>` +
      `<p><button>Sign in</button></p></form>`,
  );
}

await guard.ready();
const server = app.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address();
  console.log(`express-auth listening on http://${address}:${port}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => (guard.close(), server.close()));
