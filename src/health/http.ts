// /healthz and /readyz over HTTP: as routes of `serve`'s server, or on a listener of their own for
// a worker (which has no HTTP server). Both answer the same thing, built here once.

import { createServer } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { fail } from '../problems.ts';
import { createReadinessProbe, type ReadinessOptions, type ReadinessProbe } from './readiness.ts';

export const LIVENESS_PATH = '/healthz';
export const READINESS_PATH = '/readyz';

interface Answer {
  status: number;
  body: object;
}

async function answer(path: string, probe: ReadinessProbe): Promise<Answer | undefined> {
  if (path === LIVENESS_PATH) return { status: 200, body: { status: 'ok' } };
  if (path === READINESS_PATH) {
    const readiness = await probe.check();
    return { status: readiness.status === 'ready' ? 200 : 503, body: readiness };
  }
  return undefined;
}

/** The routes, for buildServer's `routes`. */
export function healthRoutes(probe: ReadinessProbe) {
  return (app: FastifyInstance): void => {
    for (const path of [LIVENESS_PATH, READINESS_PATH]) {
      app.get(path, async (_request, reply) => {
        const { status, body } = (await answer(path, probe)) as Answer;
        return reply.code(status).header('cache-control', 'no-store').send(body);
      });
    }
  };
}

export interface HealthListener {
  port: number;
  close(): Promise<void>;
}

/** A listener answering only /healthz and /readyz (GET or HEAD), for processes without a web server. */
export async function startHealthListener(
  listen: { host: string; port: number },
  probe: ReadinessProbe,
): Promise<HealthListener> {
  const server = createServer(async (request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (path !== LIVENESS_PATH && path !== READINESS_PATH) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response
        .writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' })
        .end('Method Not Allowed\n');
      return;
    }
    const found = (await answer(path, probe).catch(() => undefined)) ?? {
      status: 500,
      body: { status: 'error' },
    };
    const json = JSON.stringify(found.body);
    response.writeHead(found.status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(json),
      'cache-control': 'no-store',
    });
    response.end(request.method === 'HEAD' ? undefined : json);
  });
  // Slow or idle clients are not kept: the answers are small and immediate.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: NodeJS.ErrnoException) =>
    fail(
      'health-listen',
      `Cannot listen on ${listen.host}:${listen.port} for /healthz and /readyz (${err.code ?? err.message}).`,
      'Choose another --health host:port (HEALTH_LISTEN), or stop what uses it.',
    ),
  );
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : listen.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A worker's health: its own probe and listener, closed together. */
export async function serveHealth(
  listen: { host: string; port: number },
  options: ReadinessOptions,
): Promise<HealthListener> {
  const probe = createReadinessProbe(options);
  const listener = await startHealthListener(listen, probe).catch(async (err) => {
    await probe.close();
    throw err;
  });
  return {
    port: listener.port,
    async close() {
      await listener.close();
      await probe.close();
    },
  };
}
