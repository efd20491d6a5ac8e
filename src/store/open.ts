import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { fail, formatProblem, warning } from '../problems.ts';
import { usePrivatePostgres } from '../services/postgres.ts';
import type { Db } from './db.ts';
import { migrate } from './migrate.ts';
import { APPLICATION_NAME, type OutageHandling, openPostgres } from './postgres.ts';

export interface StoreConfig {
  dataDir: string;
  databaseUrl?: string;
}

/** Where outage lines go: the caller's logger, else one human line on stderr. */
export interface StoreLog {
  warn(message: string): void;
  info(message: string): void;
}

const stderrLog: StoreLog = {
  warn: (message) => process.stderr.write(`${formatProblem(warning('database', message))}\n`),
  info: () => {},
};

/** How long a command waits for the database when it starts, before saying it is unreachable. */
const STARTUP_TIMEOUT_MS = 30_000;

function outageLines(log: StoreLog, where: string): OutageHandling['onOutage'] {
  return (state, err) =>
    state === 'down'
      ? log.warn(`${where} does not answer (${err?.message}): work is paused until it does.`)
      : log.info(`${where} answers again: work resumes.`);
}

/**
 * The store of this installation, migrated: PostgreSQL at DATABASE_URL, else the private
 * PostgreSQL server of `<dataDir>/postgres` (started if need be, see services/postgres.ts).
 * Either way an outage pauses the queries of this process until the server is back.
 */
export async function openStore(config: StoreConfig, log: StoreLog = stderrLog): Promise<Db> {
  let db: Db;
  let release = async () => {};
  if (config.databaseUrl) {
    db = openPostgres(config.databaseUrl, {
      recover: () => sleep(500),
      onOutage: outageLines(log, 'The database (DATABASE_URL)'),
    });
  } else {
    const server = await usePrivatePostgres(config.dataDir, {
      onRestart: () => log.warn('The private PostgreSQL server is down: starting it again.'),
    });
    db = openPostgres(server.url(), {
      recover: server.ensureRunning,
      onOutage: outageLines(log, 'The private PostgreSQL server'),
    });
    const presence = keepPresence(server.url(), server.ensureRunning);
    release = async () => {
      await presence.close();
      await server.release();
    };
  }
  const close = db.close;
  db.close = async () => {
    await close();
    await release();
  };
  try {
    await Promise.race([
      migrate(db),
      sleep(STARTUP_TIMEOUT_MS, undefined, { ref: false }).then(() =>
        fail(
          'database-unreachable',
          `The database did not answer within ${STARTUP_TIMEOUT_MS / 1000} s.`,
          config.databaseUrl
            ? 'Check DATABASE_URL and that its server is running.'
            : `See ${config.dataDir}/postgres.log.`,
        ),
      ),
    ]);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}

/**
 * One connection held for the life of the process: it tells the private server's last user that
 * this process still needs it, and its loss is the first sign the server died, so it is
 * restarted at once, even by a process that is idle.
 */
function keepPresence(url: string, ensureRunning: () => Promise<void>): { close(): Promise<void> } {
  let closed = false;
  let client: pg.Client | undefined;
  const connect = async (): Promise<void> => {
    while (!closed) {
      const next = new pg.Client({ connectionString: url, application_name: APPLICATION_NAME });
      next.on('error', () => {});
      try {
        await next.connect();
        if (closed) {
          await next.end();
          return;
        }
        client = next;
        next.once('end', () => {
          client = undefined;
          if (!closed) void connect();
        });
        return;
      } catch {
        await next.end().catch(() => {});
        await ensureRunning().catch(() => {});
        await sleep(500);
      }
    }
  };
  const connecting = connect();
  return {
    async close() {
      closed = true;
      await connecting.catch(() => {});
      await client?.end().catch(() => {});
    },
  };
}

/** Opens the store for the length of `work` (one CLI command) and always closes it. */
export async function withStore<T>(config: StoreConfig, work: (db: Db) => Promise<T>): Promise<T> {
  const db = await openStore(config);
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}
