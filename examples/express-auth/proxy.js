import { request } from 'node:http';

/**
 * sessiond behind this app's own origin at `path` (`/auth`): what nginx's
 * `location /auth/ { proxy_pass http://127.0.0.1:4000/; }` does, in a few lines, so the example runs
 * with nothing else installed. The prefix is stripped (sessiond's routes stay at its root; its pages
 * know the prefix from SESSIOND_PUBLIC_URL), the client's address is appended to X-Forwarded-For
 * (sessiond runs with SESSIOND_TRUST_PROXY=1), and the answer goes back as it is — its cookies are
 * this origin's now — but for `Clear-Site-Data` (nginx: `proxy_hide_header Clear-Site-Data;`): on
 * sessiond's logout it says "cookies", which on this shared origin would erase the app's every
 * cookie. sessiond's own cookie is still removed by its Set-Cookie.
 */
export function mountSessiondProxy(app, path, sessiondUrl) {
  const target = new URL(sessiondUrl);
  app.use(path, (req, res) => {
    const forwardedFor = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host, 'x-forwarded-for': forwardedFor } },
      (answer) => {
        const { 'clear-site-data': _dropped, ...headers } = answer.headers;
        res.writeHead(answer.statusCode ?? 502, headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '5' });
      res.end(JSON.stringify({ error: { code: 'store_unavailable', message: 'The service is temporarily unavailable. Your session is safe; please try again shortly.' } }));
    });
    req.pipe(upstream);
  });
}
