// A browser's part in the admin, over real HTTP with fetch: the session cookie kept, redirects not
// followed (tests look at them), the CSRF token taken from the page as a form would.
//
//   const editor = await signIn(server.base, 'ed', 'a long password here');
//   const page = await editor.get('/admin/campaigns');          // { status, location, body }
//   await editor.post('/admin/campaigns/1/pause', {}, page.body); // _csrf taken from that page

export interface AdminResponse {
  status: number;
  location: string | null;
  body: string;
}

export interface AdminClient {
  /** The session cookie (name=value), or '' before signing in. */
  cookie: string;
  get(path: string): Promise<AdminResponse>;
  /** A form post; `_csrf` from `csrfFrom` (a page's HTML) unless the fields carry their own. */
  post(path: string, fields?: Record<string, string>, csrfFrom?: string): Promise<AdminResponse>;
}

/** The `_csrf` value of the first form in `html`. */
export function csrfOf(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('no CSRF field in the page');
  return token;
}

export function adminClient(base: string, headers: Record<string, string> = {}): AdminClient {
  const client: AdminClient = {
    cookie: '',
    async get(path) {
      return keep(
        await fetch(base + path, { headers: { ...headers, cookie: client.cookie }, redirect: 'manual' }),
      );
    },
    async post(path, fields = {}, csrfFrom) {
      const form = new URLSearchParams(fields);
      if (csrfFrom !== undefined && !form.has('_csrf')) form.set('_csrf', csrfOf(csrfFrom));
      return keep(
        await fetch(base + path, {
          method: 'POST',
          headers: { ...headers, cookie: client.cookie, 'content-type': 'application/x-www-form-urlencoded' },
          body: form.toString(),
          redirect: 'manual',
        }),
      );
    },
  };
  async function keep(response: Response): Promise<AdminResponse> {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      if (pair?.startsWith('bulletin_admin='))
        client.cookie = /Expires=Thu, 01 Jan 1970/i.test(line) ? '' : pair;
    }
    return {
      status: response.status,
      location: response.headers.get('location'),
      body: await response.text(),
    };
  }
  return client;
}

/** Signs in through the login form; throws unless it worked. */
export async function signIn(
  base: string,
  name: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<AdminClient> {
  const client = adminClient(base, headers);
  const form = await client.get('/admin/login');
  const result = await client.post('/admin/login', { name, password }, form.body);
  if (result.status !== 303) throw new Error(`sign-in as ${name} answered ${result.status}: ${result.body}`);
  return client;
}
