// `bulletin serve`'s services in this process, on loopback ports, as an environment configures
// them: faster than a child process, and the test reaches the service's store and tokens. (A
// spawned `bulletin serve`, for what only a process shows, is bulletinProcesses().serve in cli.ts.)

import { pino } from 'pino';
import { type ListService, startListService } from '../../src/cli/serve.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import { freePort } from './ports.ts';

export interface ServedInProcess {
  service: ListService;
  config: Config;
  /** http://127.0.0.1:<port> */
  base: string;
}

/** Starts it with the issues of issues/; PUBLIC_URL is its own address unless `env` gives one. */
export async function serveInProcess(env: Record<string, string>): Promise<ServedInProcess> {
  const port = env.PUBLIC_URL ? 0 : await freePort();
  const config = loadConfig({ PUBLIC_URL: `http://127.0.0.1:${port}`, ...env });
  const service = await startListService({
    config,
    issuesDir: 'issues',
    http: { host: '127.0.0.1', port },
    smtp: { host: '127.0.0.1', port: 0 },
    log: pino({ level: 'silent' }),
  });
  return { service, config, base: `http://127.0.0.1:${service.httpPort}` };
}
