// The HTTP side of `bulletin serve`. Route modules are registrars: functions that add their routes
// to the app. Subscribers' pages live in list-pages.ts; other modules (editions, admin) add theirs
// the same way, with one line where the server is assembled.

import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';

export type RouteRegistrar = (app: FastifyInstance) => void | Promise<void>;

export interface ServerDeps {
  routes: RouteRegistrar[];
  /** Fastify's logger option: a pino instance, or false (tests). */
  logger?: FastifyServerOptions['loggerInstance'] | false;
  /** Set when behind a reverse proxy, so request.ip is the client's (consent evidence). */
  trustProxy?: boolean;
}

export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = deps.logger
    ? Fastify({ loggerInstance: deps.logger, trustProxy: deps.trustProxy ?? false, bodyLimit: 1_048_576 })
    : Fastify({ logger: false, trustProxy: deps.trustProxy ?? false, bodyLimit: 1_048_576 });
  await app.register(formbody);
  for (const register of deps.routes) await register(app);
  return app;
}
