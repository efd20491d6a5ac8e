// The queue dashboard (bull-board) under /admin/queues, behind HTTP basic auth with the admin user
// and password. Without BULLETIN_ADMIN_PASSWORD there is no admin path at all.
//
// In front of the password, in this order: a client locked out for guessing gets 429 (even with
// the right password); every client is throttled to ADMIN_REQUESTS_PER_MINUTE; a request that
// changes something (anything but GET/HEAD/OPTIONS) must come from our own origin, because a
// browser sends basic-auth credentials with a foreign page's form or fetch too (CSRF).

import { createHash, timingSafeEqual } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import basicAuth from '@fastify/basic-auth';
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import { openDashboardQueues } from '../queue/index.ts';
import type { RedisConnection } from '../services/redis.ts';
import { LoginThrottle, type LoginThrottleOptions } from './login-throttle.ts';
import type { RouteRegistrar } from './server.ts';

export const ADMIN_QUEUES_PATH = '/admin/queues';

/** Wrong logins per client before a lockout, the window they count in, and the lockout. */
export const ADMIN_LOGIN_LIMITS: LoginThrottleOptions = {
  maxFailures: 10,
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
};
/** Every admin request, per client (the dashboard polls a few times a minute). */
export const ADMIN_REQUESTS_PER_MINUTE = 300;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function adminRoutes(options: {
  user?: string;
  password?: string;
  /** PUBLIC_URL: its origin is allowed to post to the dashboard, besides the request's own host. */
  publicUrl?: string;
  /** Where the queues are: every queue of src/queue is shown. */
  connection: RedisConnection;
  loginLimits?: LoginThrottleOptions;
}): RouteRegistrar {
  return async (app) => {
    const { password } = options;
    if (!password) return;
    const user = options.user ?? 'admin';
    const throttle = new LoginThrottle(options.loginLimits ?? ADMIN_LOGIN_LIMITS);
    const client = (request: FastifyRequest) => normalizeIP(request.ip);
    const queues = openDashboardQueues(options.connection);
    app.addHook('onClose', async () => {
      await Promise.all(queues.map((q) => q.close()));
    });
    const board = new FastifyAdapter();
    board.setBasePath(ADMIN_QUEUES_PATH);
    createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter: board });

    // Encapsulated: these hooks cover the dashboard's routes and nothing else.
    await app.register(async (admin) => {
      admin.addHook('onRequest', async (request, reply) => {
        const seconds = throttle.lockedFor(client(request));
        if (seconds > 0) {
          return reply
            .code(429)
            .header('retry-after', String(seconds))
            .type('text/plain')
            .send('Too many wrong logins from your address. Try again later.\n');
        }
      });
      await admin.register(rateLimit, { max: ADMIN_REQUESTS_PER_MINUTE, timeWindow: 60_000 });
      await admin.register(basicAuth, {
        authenticate: { realm: 'bulletin admin' },
        utf8: true,
        validate: async (givenUser, givenPassword, request) => {
          // Both compared, always, in constant time: the answer never says which one was wrong.
          const right = sameSecret(givenUser, user) && sameSecret(givenPassword, password);
          if (right) return throttle.succeeded(client(request));
          throttle.failed(client(request));
          return new Error('Unauthorized');
        },
      });
      admin.addHook('onRequest', admin.basicAuth);
      admin.addHook('onRequest', async (request, reply) => {
        if (SAFE_METHODS.has(request.method) || sameOrigin(request, options.publicUrl)) return;
        return reply
          .code(403)
          .type('text/plain')
          .send('Refused: this request does not come from the dashboard (Origin).\n');
      });
      await admin.register(board.registerPlugin(), { prefix: ADMIN_QUEUES_PATH });
    });
  };
}

function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Whether a state-changing request comes from one of our pages: its Origin (or, from browsers that
 * omit it, its Referer's origin) is the request's own host or PUBLIC_URL's. Neither: refused.
 */
export function sameOrigin(request: FastifyRequest, publicUrl: string | undefined): boolean {
  const origin = request.headers.origin ?? originOf(request.headers.referer);
  if (!origin || origin === 'null') return false;
  const allowed = [`${request.protocol}://${request.host}`];
  const ours = publicUrl && originOf(publicUrl);
  if (ours) allowed.push(ours);
  return allowed.includes(origin);
}

function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
