// A listen address as `serve --http/--smtp` and `worker --health` take it: host:port, [ipv6]:port.

import { fail } from '../problems.ts';

export interface Listen {
  host: string;
  port: number;
}

export function parseListen(value: string): Listen {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value);
  const port = Number(m?.[3]);
  if (!m || port > 65535) return fail('invalid-listen', { value });
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}
