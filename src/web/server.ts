// src/web: the HTTP server of `bulletin serve` (this file) and its routes: readers' pages,
// editions, the admin.
//
// The HTTP side of `bulletin serve`. Route modules are registrars: functions that add their routes
// to the app. Subscribers' pages live in list-pages.ts; other modules (editions, admin) add theirs
// the same way, with one line where the server is assembled.
//
// What every route gets from here: security headers (helmet: a CSP without inline script, nosniff,
// Referrer-Policy, frame-ancestors, HSTS over HTTPS), form bodies, 405 with Allow for a known path
// asked with another method, and client mistakes answered 4xx: only our own faults are 500s.

import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import type { z } from 'zod';
import { observeHttpRequest } from '../metrics.ts';

export type RouteRegistrar = (app: FastifyInstance) => void | Promise<void>;

export interface ServerDeps {
  routes: RouteRegistrar[];
  /** Fastify's logger option: a pino instance, or false (tests). */
  logger?: FastifyServerOptions['loggerInstance'] | false;
  /** Set when behind a reverse proxy, so request.ip is the client's (consent evidence) and
   *  X-Forwarded-Proto says whether the reader used HTTPS (HSTS). */
  trustProxy?: boolean;
  /** Who may frame our pages: nobody (the public site), or the same origin (`bulletin preview`,
   *  whose page shows the editions in frames). */
  framing?: 'none' | 'self';
}

/** HSTS only on HTTPS (RFC 6797 §7.2: never over plain HTTP); a year, as browsers' preload lists ask. */
const HSTS = 'max-age=31536000; includeSubDomains';

/** What Fastify, its plugins and http-errors put on an error that a client caused. */
interface ClientError {
  statusCode?: number;
  message?: string;
  headers?: Record<string, string>;
}

const METHODS: HTTPMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  // One hop: the client is the address our proxy saw (the last X-Forwarded-For entry). Trusting
  // every hop would take the first entry, which the client writes itself, and so pick its own key
  // for every per-IP limit.
  const options = {
    trustProxy: deps.trustProxy ? (_address: string, hop: number) => hop === 0 : false,
    bodyLimit: 1_048_576,
    // A URL that does not decode never reaches the hooks (nor helmet): answer it plainly here.
    frameworkErrors: (_error: unknown, _request: unknown, reply: FastifyReply) =>
      reply
        .code(400)
        .header('content-security-policy', "default-src 'none'; frame-ancestors 'none'")
        .header('x-content-type-options', 'nosniff')
        .type('text/plain')
        .send('Bad Request\n'),
  };
  const app = deps.logger
    ? Fastify({ loggerInstance: deps.logger, ...options })
    : Fastify({ logger: false, ...options });

  // Pages are server-rendered with no script of ours; inline <style> blocks carry the
  // publication's colour, hence 'unsafe-inline' for styles only.
  await app.register(helmet, {
    global: true,
    hsts: false,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: [deps.framing === 'self' ? "'self'" : "'none'"],
      },
    },
    frameguard: { action: deps.framing === 'self' ? 'sameorigin' : 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
  app.addHook('onRequest', async (request, reply) => {
    if (request.protocol === 'https') reply.header('strict-transport-security', HSTS);
  });
  // By the route's pattern, never the raw URL: one series per route, whatever readers ask for.
  app.addHook('onResponse', async (request, reply) => {
    const method = METHODS.includes(request.method as HTTPMethod) ? request.method : 'other';
    const route = request.routeOptions.url ?? 'unmatched';
    observeHttpRequest(route, method, reply.statusCode, reply.elapsedTime / 1000);
  });
  await app.register(formbody);

  // A router mirroring every route, so a path that exists under other methods gets 405 + Allow.
  const known = FindMyWay();
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (!METHODS.includes(method as HTTPMethod) || known.hasRoute(method as HTTPMethod, route.url))
        continue;
      known.on(method as HTTPMethod, route.url, () => {});
    }
  });
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = METHODS.filter((method) => known.find(method, path));
    // A route of this very method that found nothing (reply.callNotFound) is a plain 404.
    if (allowed.length && !allowed.includes(request.method as HTTPMethod)) {
      return reply
        .code(405)
        .header('allow', allowed.join(', '))
        .type('text/plain')
        .send('Method Not Allowed\n');
    }
    return reply.code(404).type('text/plain').send('Not Found\n');
  });
  app.setErrorHandler(async (error: ClientError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      // e.g. Content-Range on a 416 from send
      if (error.headers) reply.headers(error.headers);
      return reply
        .code(status)
        .type('text/plain')
        .send(`${error.message ?? 'Bad Request'}\n`);
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).type('text/plain').send('Internal Server Error\n');
  });

  for (const register of deps.routes) await register(app);
  return app;
}

/**
 * The request body as `schema` describes it, or undefined for anything else (wrong types,
 * missing fields, repeated keys): the caller answers 400. Form bodies and JSON alike.
 */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T | undefined {
  const parsed = schema.safeParse(body ?? {});
  return parsed.success ? parsed.data : undefined;
}
