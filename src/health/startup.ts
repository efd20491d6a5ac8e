// What a process checks before it starts its work: that its data dir can be written, and that
// the database, Redis and the SMTP server it was given (DATABASE_URL, REDIS_URL, SMTP_URL) answer
// and accept its credentials, each asked once and all at the same time. A failure is one line per dependency within seconds, so the
// person starting it (or systemd, or Docker's restart policy) sees what to fix at once, rather
// than a process that says it started and then logs its retries. The private PostgreSQL and
// redis-server are checked as they are started (services/).

import { ensureDataDir } from '../data-dir.ts';
import { reachSmtp } from '../outbound/reach.ts';
import { BulletinError, type Problem } from '../problems.ts';
import { reachRedis } from '../services/redis.ts';
import { reachDatabase } from '../store/open.ts';

export interface StartupDependencies {
  dataDir: string;
  databaseUrl?: string;
  redisUrl?: string;
  smtpUrl?: string;
}

/** Resolves when every dependency given answers; else throws every failure, one problem each. */
export async function reachDependencies(
  config: StartupDependencies,
  options: { smtp: boolean },
): Promise<void> {
  const results = await Promise.allSettled([
    Promise.resolve().then(() => ensureDataDir(config.dataDir)),
    config.databaseUrl ? reachDatabase(config.databaseUrl) : undefined,
    config.redisUrl ? reachRedis({ url: config.redisUrl }) : undefined,
    options.smtp && config.smtpUrl ? reachSmtp(config.smtpUrl) : undefined,
  ]);
  const problems: Problem[] = [];
  for (const result of results) {
    if (result.status === 'fulfilled') continue;
    if (!(result.reason instanceof BulletinError)) throw result.reason;
    problems.push(...result.reason.problems);
  }
  if (problems.length) throw new BulletinError(problems);
}
