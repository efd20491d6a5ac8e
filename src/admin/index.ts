// src/admin: the editors' web admin under /admin: accounts and roles, sign-in with a session,
// CSRF-protected forms, one layout; its sections (campaigns, subscribers, contributions) and the
// queue dashboard (bull-board) beside them. Server-rendered HTML, no script of ours.
//
// ── The framework's contract (what a section relies on; kept stable) ─────────────────────────────
//
// A section is an `AdminSection`: a nav entry (`label`, `path`) and `routes(app)`, which adds its
// routes to `app` with full paths (`app.get('/admin/subscribers', …)`). Pass it in `sections` of
// `adminRoutes` (cli/serve.ts wires them); the nav lists the sections in that order, then Queues.
// Inside `routes`, every route already:
//   - demands a signed-in account (an editor at least): a GET without one is sent to the login form,
//     anything else gets 401;
//   - checks the CSRF token on every method but GET/HEAD/OPTIONS (403 without a valid one).
// What a section uses, all exported here:
//   - `sendPage(request, reply, { title, body, status? })`: the page in the layout (nav, who is signed
//     in, sign-out, the flash message); `body` is `Html`, built with the `html` tagged template
//     (interpolations escaped; Html and Html[] pass through).
//   - `csrfField(reply)`: the hidden `_csrf` input every `<form method="post">` must carry. Body schemas
//     (zod, `parseBody` of web/server.ts) must let `_csrf` through: z.object, not z.strictObject.
//   - `requireRole('publisher')`: a route's `preHandler` that answers 403 (a page saying so) to an
//     editor; `accountOf(request)` is who is signed in, `can(request, 'publisher')` hides buttons.
//   - `flash(request, text)` then `reply.redirect(path, 303)`: the message shows once on the next page.
//   - Roles: 'editor' (prepare, proof, read everything) < 'publisher' (also send, pause, resume,
//     cancel, schedule, resend failed, erase).
// ─────────────────────────────────────────────────────────────────────────────────────────────────
//
// Sessions: @fastify/session with its store in PostgreSQL (session-store.ts), cookie `bulletin_admin`
// on /admin, HttpOnly, SameSite=Strict, Secure when PUBLIC_URL is https, signed with a key derived
// from the installation's secret in the database (every `serve` on every machine agrees). CSRF:
// @fastify/csrf-protection, its secret in the session. Sign-in is throttled per client (LoginThrottle):
// after too many wrong passwords, 429 even for the right one. Every admin request is rate-limited.
// The queue dashboard has no basic auth any more: it is behind the same session; its own state
// changes (fetch from its page, without our token) must come from our origin and a publisher.

import { createHmac } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import cookie from '@fastify/cookie';
import csrfProtection from '@fastify/csrf-protection';
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import session from '@fastify/session';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { InternalError } from '../problems.ts';
import { openDashboardQueues } from '../queue/index.ts';
import type { RedisConnection } from '../services/redis.ts';
import type { Db } from '../store/db.ts';
import { LoginThrottle, type LoginThrottleOptions } from '../web/login-throttle.ts';
import { sameOrigin } from '../web/origin.ts';
import { parseBody, type RouteRegistrar } from '../web/server.ts';
import {
  type Account,
  authenticate,
  currentAccount,
  type EnvironmentAccount,
  type Role,
  roleAllows,
} from './accounts.ts';
import { type Html, html } from './html.ts';
import { loginPage, renderLayout } from './layout.ts';
import { PostgresSessionStore } from './session-store.ts';

export type { Account, Role } from './accounts.ts';
export { type Html, html } from './html.ts';

declare module 'fastify' {
  interface Session {
    account?: string;
    flash?: string;
    _csrf?: string;
  }
  interface FastifyRequest {
    adminAccount: Account | null;
  }
}

export interface AdminSection {
  /** In the nav, e.g. "Subscribers". */
  label: string;
  /** Where the nav entry leads, e.g. "/admin/subscribers"; also the section's routes' root. */
  path: string;
  routes(app: FastifyInstance): void | Promise<void>;
}

export const ADMIN_PATH = '/admin';
export const LOGIN_PATH = '/admin/login';
export const LOGOUT_PATH = '/admin/logout';
export const ADMIN_QUEUES_PATH = '/admin/queues';
export const SESSION_COOKIE = 'bulletin_admin';

/** Wrong logins per client before a lockout, the window they count in, and the lockout. */
export const ADMIN_LOGIN_LIMITS: LoginThrottleOptions = {
  maxFailures: 10,
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
};
/** Every admin request, per client (the dashboard polls a few times a minute). */
export const ADMIN_REQUESTS_PER_MINUTE = 300;
/** A session lasts a working day from sign-in, then the form asks again. */
export const SESSION_MAX_AGE_MS = 12 * 3600_000;
/** The session a login form opens (it only holds the form's CSRF secret) is kept an hour. */
export const LOGIN_FORM_MAX_AGE_MS = 3600_000;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

type Hook = (request: FastifyRequest, reply: FastifyReply, done: () => void) => void;

/** `check` on the requests that can change something: GET, HEAD and OPTIONS change nothing and pass. */
const onChanges =
  (check: Hook): Hook =>
  (request, reply, done) =>
    SAFE_METHODS.has(request.method) ? done() : check(request, reply, done);

export interface AdminOptions {
  db: Db;
  /** The installation's token secret (store/installation-secret.ts); the cookie key derives from it. */
  installationSecret: Buffer;
  /** BULLETIN_ADMIN_USER and BULLETIN_ADMIN_PASSWORD: a publisher, when the password is set. */
  environmentAccount?: EnvironmentAccount;
  /** PUBLIC_URL: https makes the cookie Secure; its origin may post to the dashboard too. */
  publicUrl: string;
  /** Where the queues are: bull-board shows every queue of src/queue. */
  connection: RedisConnection;
  sections: AdminSection[];
  loginLimits?: LoginThrottleOptions;
  requestsPerMinute?: number;
}

/** The signed-in account; only inside a section's routes (where there always is one). */
export function accountOf(request: FastifyRequest): Account {
  if (!request.adminAccount) throw new InternalError('an admin route ran without a signed-in account');
  return request.adminAccount;
}

export function can(request: FastifyRequest, role: Role): boolean {
  return request.adminAccount ? roleAllows(request.adminAccount.role, role) : false;
}

/** The hidden input that carries the CSRF token; every POST form of the admin holds one. */
export function csrfField(reply: FastifyReply): Html {
  return html`<input type="hidden" name="_csrf" value="${reply.generateCsrf()}">`;
}

/** Shown once, on the next page this session opens (after a redirect). */
export function flash(request: FastifyRequest, text: string): void {
  request.session.set('flash', text);
}

/** A preHandler: the route is for `role` and above; others get a 403 page. */
export function requireRole(role: Role) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (can(request, role)) return;
    return sendPage(request, reply, {
      status: 403,
      title: 'Not allowed',
      body: html`<p>Only a ${role} can do this. You are signed in as ${accountOf(request).name} (${accountOf(request).role}).</p>`,
    });
  };
}

/** The nav of the admin a request came in through (a process may mount more than one, in tests). */
const navigation = new WeakMap<FastifyRequest, { label: string; path: string }[]>();

export function sendPage(
  request: FastifyRequest,
  reply: FastifyReply,
  page: { title: string; body: Html; status?: number },
): FastifyReply {
  const account = accountOf(request);
  const message = request.session.get('flash');
  if (message !== undefined) request.session.set('flash', undefined);
  const nav = navigation.get(request) ?? [];
  return reply
    .code(page.status ?? 200)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(
      renderLayout({
        title: page.title,
        body: page.body,
        account,
        nav,
        current: request.url.split('?')[0] ?? '',
        flash: message,
        csrf: csrfField(reply),
      }).value,
    );
}

const loginForm = z.object({
  name: z.string().max(200),
  password: z.string().max(2000),
  next: z.string().max(2000).optional(),
});

/** Only a path of ours: never another site (`//evil`, `/\evil`), never the login page again. */
function safeNext(next: string | undefined): string {
  if (
    !next ||
    !/^\/admin(\/[\w\-./%?=&]*)?$/.test(next) ||
    next.includes('//') ||
    next.includes('..') ||
    next.startsWith(LOGIN_PATH)
  )
    return ADMIN_PATH;
  return next;
}

export function adminRoutes(options: AdminOptions): RouteRegistrar {
  return async (app) => {
    const { db } = options;
    const environment = options.environmentAccount;
    const throttle = new LoginThrottle(options.loginLimits ?? ADMIN_LOGIN_LIMITS);
    const client = (request: FastifyRequest) => normalizeIP(request.ip);
    const https = options.publicUrl.startsWith('https:');
    const nav = [
      ...options.sections.map(({ label, path }) => ({ label, path })),
      { label: 'Queues', path: ADMIN_QUEUES_PATH },
    ];

    const queues = openDashboardQueues(options.connection);
    app.addHook('onClose', async () => {
      await Promise.all(queues.map((q) => q.close()));
    });
    const board = new FastifyAdapter();
    board.setBasePath(ADMIN_QUEUES_PATH);
    createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter: board });

    // Encapsulated: cookies, sessions and these hooks cover /admin and nothing else.
    await app.register(async (admin) => {
      await admin.register(rateLimit, {
        max: options.requestsPerMinute ?? ADMIN_REQUESTS_PER_MINUTE,
        timeWindow: 60_000,
      });
      await admin.register(cookie);
      await admin.register(session, {
        secret: createHmac('sha256', options.installationSecret)
          .update('bulletin admin sessions')
          .digest('hex'),
        cookieName: SESSION_COOKIE,
        cookie: {
          path: ADMIN_PATH,
          httpOnly: true,
          sameSite: 'strict',
          secure: https,
          maxAge: SESSION_MAX_AGE_MS,
        },
        saveUninitialized: false,
        rolling: false,
        store: new PostgresSessionStore(db, SESSION_MAX_AGE_MS),
      });
      await admin.register(csrfProtection, { sessionPlugin: '@fastify/session' });
      admin.decorateRequest('adminAccount', null);
      const checkCsrf = onChanges((request, reply, done) => admin.csrfProtection(request, reply, done));

      // ── Signing in and out ──
      admin.get(LOGIN_PATH, async (request, reply) => {
        const next = safeNext((request.query as { next?: string }).next);
        if (await signedIn(request)) return reply.redirect(next, 303);
        request.session.options({ maxAge: LOGIN_FORM_MAX_AGE_MS });
        // A Secure cookie is never set over plain HTTP, so signing in could only loop: say why.
        const insecure = https && request.protocol !== 'https';
        return sendLogin(reply, {
          next,
          error: insecure
            ? 'PUBLIC_URL is https but this page came over http, so signing in cannot work here. Open it over https; behind a TLS proxy, set TRUST_PROXY=true.'
            : undefined,
        });
      });
      admin.post(LOGIN_PATH, { preHandler: checkCsrf }, async (request, reply) => {
        const seconds = throttle.lockedFor(client(request));
        if (seconds > 0) {
          return reply
            .code(429)
            .header('retry-after', String(seconds))
            .type('text/plain')
            .send('Too many wrong sign-ins from your address. Try again later.\n');
        }
        const form = parseBody(loginForm, request.body);
        if (!form) return reply.code(400).type('text/plain').send('Bad Request\n');
        const next = safeNext(form.next);
        const account = await authenticate(db, form.name, form.password, environment);
        if (!account) {
          if (throttle.failed(client(request)))
            request.log.warn(
              { client: client(request) },
              'admin: too many wrong sign-ins; client locked out',
            );
          return sendLogin(reply, { next, name: form.name, error: 'Wrong name or password.' }, 401);
        }
        throttle.succeeded(client(request));
        // A new session id at sign-in: one planted before it (session fixation) opens nothing.
        await request.session.regenerate();
        request.session.options({ maxAge: SESSION_MAX_AGE_MS });
        request.session.set('account', account.name);
        request.log.info({ account: account.name, role: account.role }, 'admin: signed in');
        return reply.redirect(next, 303);
      });
      admin.post(LOGOUT_PATH, { preHandler: checkCsrf }, async (request, reply) => {
        await request.session.destroy();
        return reply.redirect(LOGIN_PATH, 303);
      });

      function sendLogin(
        reply: FastifyReply,
        form: { next: string; name?: string; error?: string },
        status = 200,
      ): FastifyReply {
        return reply
          .code(status)
          .header('cache-control', 'no-store')
          .type('text/html; charset=utf-8')
          .send(loginPage({ ...form, action: LOGIN_PATH, csrf: csrfField(reply) }).value);
      }

      async function signedIn(request: FastifyRequest): Promise<Account | undefined> {
        const name = request.session.get('account');
        return name === undefined ? undefined : currentAccount(db, name, environment);
      }

      // ── Everything else under /admin: signed in first ──
      await admin.register(async (signed) => {
        signed.addHook('onRequest', async (request, reply) => {
          const account = await signedIn(request);
          if (account) {
            request.adminAccount = account;
            navigation.set(request, nav);
            return;
          }
          if (request.method === 'GET' && !request.url.startsWith(`${ADMIN_QUEUES_PATH}/api/`))
            return reply.redirect(`${LOGIN_PATH}?next=${encodeURIComponent(request.url)}`, 303);
          return reply.code(401).type('text/plain').send('Sign in first, at /admin/login.\n');
        });

        await signed.register(async (pages) => {
          pages.addHook('preHandler', checkCsrf);
          pages.get(ADMIN_PATH, async (_request, reply) =>
            reply.redirect(nav[0]?.path ?? ADMIN_QUEUES_PATH, 303),
          );
          for (const section of options.sections)
            await pages.register(async (scope) => section.routes(scope));
        });

        // bull-board's page changes things with fetch from its own script, which carries no token
        // of ours: the SameSite=Strict cookie, an Origin of ours and a publisher are required instead.
        await signed.register(async (dashboard) => {
          // (A hook that replies does not call done: the request ends there.)
          dashboard.addHook(
            'onRequest',
            onChanges((request, reply, done) => {
              if (!sameOrigin(request, options.publicUrl))
                reply
                  .code(403)
                  .type('text/plain')
                  .send('Refused: this request does not come from the dashboard (Origin).\n');
              else if (!can(request, 'publisher'))
                reply.code(403).type('text/plain').send('Only a publisher can change the queues.\n');
              else done();
            }),
          );
          await dashboard.register(board.registerPlugin(), { prefix: ADMIN_QUEUES_PATH });
        });
      });
    });
  };
}
