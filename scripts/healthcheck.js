#!/usr/bin/env node
// The container's HEALTHCHECK: exit 0 when this process's /healthz answers 200 within 4 s.
// `serve` answers on its HTTP port (3000 in the image); a worker on HEALTH_LISTEN (host:port).
const listen = process.env.HEALTH_LISTEN;
const port = listen ? listen.slice(listen.lastIndexOf(':') + 1) : '3000';
try {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(4000) });
  process.exit(response.status === 200 ? 0 : 1);
} catch {
  process.exit(1);
}
