// /healthz, /readyz and /metrics over HTTP: as routes of `serve`'s server, or on a listener of
// their own for a worker (which has no HTTP server). Both answer the same thing, built here once.

import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { METRICS_CONTENT_TYPE, metricsText } from '../metrics.ts';
import { fail } from '../problems.ts';
import { createReadinessProbe, type ReadinessOptions, type ReadinessProbe } from './readiness.ts';

export const LIVENESS_PATH = '/healthz';
export const READINESS_PATH = '/readyz';
export const METRICS_PATH = '/metrics';

export interface MetricsAccess {
  /** METRICS_TOKEN: /metrics answers only `Authorization: Bearer <token>`. */
  token?: string;
  /** Without a token: true answers anyone (a worker's listener, on an internal address); false
   *  answers 404 (serve's HTTP port, which readers reach). */
  openWithoutToken: boolean;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** The Prometheus text, or 401 without the token when one is set (compared in constant time). */
async function metricsAnswer(
  access: MetricsAccess,
  authorization: string | undefined,
): Promise<{ status: number; type: string; body: string; headers?: Record<string, string> }> {
  if (!access.token && !access.openWithoutToken)
    return { status: 404, type: 'text/plain; charset=utf-8', body: 'Not Found\n' };
  if (access.token) {
    const given = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1] ?? '';
    if (!timingSafeEqual(digest(given), digest(access.token)))
      return {
        status: 401,
        type: 'text/plain; charset=utf-8',
        body: 'Unauthorized: send METRICS_TOKEN as a bearer token\n',
        headers: { 'www-authenticate': 'Bearer realm="metrics"' },
      };
  }
  return { status: 200, type: METRICS_CONTENT_TYPE, body: await metricsText() };
}

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
export function healthRoutes(probe: ReadinessProbe, metrics: MetricsAccess) {
  return (app: FastifyInstance): void => {
    for (const path of [LIVENESS_PATH, READINESS_PATH]) {
      app.get(path, async (_request, reply) => {
        const { status, body } = (await answer(path, probe)) as Answer;
        return reply.code(status).header('cache-control', 'no-store').send(body);
      });
    }
    app.get(METRICS_PATH, async (request, reply) => {
      const { status, type, body, headers } = await metricsAnswer(metrics, request.headers.authorization);
      return reply
        .code(status)
        .headers(headers ?? {})
        .type(type)
        .header('cache-control', 'no-store')
        .send(body);
    });
  };
}

export interface HealthListener {
  port: number;
  close(): Promise<void>;
}

/** A listener answering only /healthz, /readyz and /metrics (GET or HEAD), for processes without a web server. */
export async function startHealthListener(
  listen: { host: string; port: number },
  probe: ReadinessProbe,
  metrics: MetricsAccess = { openWithoutToken: true },
): Promise<HealthListener> {
  const server = createServer(async (request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (path !== LIVENESS_PATH && path !== READINESS_PATH && path !== METRICS_PATH) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response
        .writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' })
        .end('Method Not Allowed\n');
      return;
    }
    if (path === METRICS_PATH) {
      const metricsFound = await metricsAnswer(metrics, request.headers.authorization).catch(() => ({
        status: 500,
        type: 'text/plain; charset=utf-8',
        body: 'metrics unavailable\n',
        headers: undefined,
      }));
      response.writeHead(metricsFound.status, {
        ...metricsFound.headers,
        'content-type': metricsFound.type,
        'content-length': Buffer.byteLength(metricsFound.body),
        'cache-control': 'no-store',
      });
      response.end(request.method === 'HEAD' ? undefined : metricsFound.body);
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
      `Cannot listen on ${listen.host}:${listen.port} for /healthz, /readyz and /metrics (${err.code ?? err.message}).`,
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

/** A worker's health and metrics: its own probe and listener, closed together. */
export async function serveHealth(
  listen: { host: string; port: number },
  options: ReadinessOptions,
  metrics: MetricsAccess = { openWithoutToken: true },
): Promise<HealthListener> {
  const probe = createReadinessProbe(options);
  const listener = await startHealthListener(listen, probe, metrics).catch(async (err) => {
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
