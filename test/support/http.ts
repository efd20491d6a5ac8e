// The web server on a real loopback port, and a raw HTTP client for what fetch would rewrite
// (fetch resolves "..", encodes paths and refuses some methods and headers).

import { request as httpRequest } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { buildServer, type ServerDeps } from '../../src/web/server.ts';

export interface LiveServer {
  app: FastifyInstance;
  port: number;
  /** http://127.0.0.1:<port> */
  base: string;
  close(): Promise<void>;
}

export async function startHttp(deps: ServerDeps): Promise<LiveServer> {
  const app = await buildServer(deps);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address !== 'object') throw new Error('the server has no port');
  return { app, port: address.port, base: `http://127.0.0.1:${address.port}`, close: () => app.close() };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One request with `path` sent byte for byte as given. */
export function rawRequest(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  const headers = { ...options.headers };
  // Node sends GET/DELETE/OPTIONS bodies with no framing at all unless told their length.
  if (options.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length'))
    headers['content-length'] = String(Buffer.byteLength(options.body));
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error(`timeout: ${path}`)));
    req.on('error', reject);
    req.end(options.body);
  });
}
