/**
 * Just enough of a browser for the API tests of SPEC §15: a cookie jar per origin, redirects
 * followed by hand (so a test can stop at one), forms posted as a person would post them.
 */
export class Browserish {
  private readonly jars = new Map<string, Map<string, string>>();

  async request(url: string, init: { method?: string; form?: Record<string, string>; accept?: string } = {}): Promise<Response> {
    const u = new URL(url);
    const jar = this.jars.get(u.origin) ?? new Map<string, string>();
    this.jars.set(u.origin, jar);
    const headers: Record<string, string> = {};
    if (init.accept) headers.accept = init.accept;
    if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers.origin = u.origin;
    }
    const res = await fetch(url, { method: init.method ?? (init.form ? 'POST' : 'GET'), headers, body: init.form ? new URLSearchParams(init.form).toString() : undefined, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i);
      const value = pair!.slice(i + 1);
      if (/Max-Age=0/i.test(c) || /expires=Thu, 01 Jan 1970/i.test(c) || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  }

  /** Follows redirects until an answer that is not one, or until `stopAt` says the next URL is far enough. */
  async follow(url: string, opts: { form?: Record<string, string>; stopAt?: (next: URL) => boolean } = {}): Promise<{ url: string; res: Response }> {
    let res = await this.request(url, opts.form ? { form: opts.form } : {});
    let at = url;
    for (let hops = 0; res.status >= 300 && res.status < 400; hops++) {
      if (hops > 15) throw new Error(`too many redirects from ${url}`);
      const next = new URL(res.headers.get('location')!, at);
      if (opts.stopAt?.(next)) return { url: next.href, res };
      at = next.href;
      res = await this.request(at);
    }
    return { url: at, res };
  }

  setCookie(origin: string, name: string, value: string): void {
    const jar = this.jars.get(origin) ?? new Map<string, string>();
    this.jars.set(origin, jar);
    jar.set(name, value);
  }

  cookie(origin: string, name: string): string | undefined {
    return this.jars.get(origin)?.get(name);
  }

  /** Posts the page's form (devInteractions: login, then consent), adding `fields`. */
  async submitForm(page: { url: string; res: Response }, fields: Record<string, string>, opts: { stopAt?: (next: URL) => boolean } = {}) {
    const html = await page.res.text();
    const form = /<form[^>]*action="([^"]+)"[^>]*>([^]*?)<\/form>/.exec(html);
    if (!form) throw new Error(`no form at ${page.url}: ${html.slice(0, 300)}`);
    const hidden = Object.fromEntries([...form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    return this.follow(new URL(form[1]!.replace(/&amp;/g, '&'), page.url).href, { form: { ...hidden, ...fields }, stopAt: opts.stopAt });
  }
}

/**
 * Signs `login` in through the provider's development login page, from sessiond's start URL:
 * login form, consent, back to sessiond's callback. With `stopAtCallback`, returns the callback
 * URL the provider redirected to, unvisited.
 */
export async function signInThroughProvider(b: Browserish, startUrl: string, login: string, opts: { stopAtCallback?: boolean; rewriteAuthorization?: (u: URL) => URL } = {}) {
  const isCallback = (u: URL) => opts.stopAtCallback === true && u.pathname.endsWith('/callback');
  let first = await b.follow(startUrl, { stopAt: (u) => opts.rewriteAuthorization !== undefined && u.pathname.endsWith('/auth') });
  if (opts.rewriteAuthorization) first = await b.follow(opts.rewriteAuthorization(new URL(first.url)).href);
  const afterLogin = await b.submitForm(first, { login, password: 'any' }, { stopAt: isCallback });
  if (isCallback(new URL(afterLogin.url))) return afterLogin;
  // A first sign-in of this account at this client asks for consent.
  if (afterLogin.res.status === 200 && new URL(afterLogin.url).pathname.startsWith('/interaction/')) return b.submitForm(afterLogin, {}, { stopAt: isCallback });
  return afterLogin;
}
