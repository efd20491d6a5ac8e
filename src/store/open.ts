import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { fail, formatProblem, warning } from '../problems.ts';
import { usePrivatePostgres } from '../services/postgres.ts';
import { DEPENDENCY_ANSWER_TIMEOUT_MS } from '../start-timeout.ts';
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
    await reachDatabase(config.databaseUrl);
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

/** Errors that say the server answered and said no: waiting will not change its mind. */
const REFUSED_CODES = new Set([
  '28P01', // invalid_password
  '28000', // invalid_authorization_specification: no pg_hba.conf entry, unknown user
  '3D000', // invalid_catalog_name: no such database
]);

/**
 * Connects once to DATABASE_URL before anything else, so a wrong address or password is one line
 * within seconds: a refusal at once, a server that does not answer after
 * DEPENDENCY_ANSWER_TIMEOUT_MS. The message names the host and user, never the password.
 */
export async function reachDatabase(url: string): Promise<void> {
  const parsed = new URL(url);
  const where = `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}`;
  const user = decodeURIComponent(parsed.username) || 'postgres';
  const deadline = performance.now() + DEPENDENCY_ANSWER_TIMEOUT_MS;
  let reason = 'no answer';
  for (;;) {
    const left = deadline - performance.now();
    if (left <= 0) break;
    const client = new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: Math.max(250, Math.ceil(left)),
      application_name: APPLICATION_NAME,
    });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.end().catch(() => {});
      return;
    } catch (err) {
      await client.end().catch(() => {});
      const e = err as Error & { code?: string };
      if (e.code === 'ENOTFOUND')
        fail(
          'database-unreachable',
          `PostgreSQL's host ${parsed.hostname} is not known (ENOTFOUND).`,
          'Check the host name in DATABASE_URL.',
        );
      if (REFUSED_CODES.has(e.code ?? '') || /password|SASL|SCRAM/i.test(e.message ?? ''))
        fail('database-refused', { where, user, reason: refusal(e) });
      reason = e.code && /^E[A-Z]+$/.test(e.code) ? e.code : e.message.replace(/\s+/g, ' ');
    }
    await sleep(Math.min(250, Math.max(0, deadline - performance.now())));
  }
  fail(
    'database-unreachable',
    `PostgreSQL at ${where} does not answer (${reason}) after ${DEPENDENCY_ANSWER_TIMEOUT_MS / 1000} s.`,
    'Check DATABASE_URL and that its server is running.',
  );
}

/** The server's reason, short and without the user's name twice. */
function refusal(err: Error & { code?: string }): string {
  if (err.code === '28P01' || /password authentication failed/i.test(err.message))
    return 'password authentication failed';
  if (/client password must be a string|SASL/i.test(err.message))
    return 'it wants a password and DATABASE_URL has none';
  return err.message.replace(/\s+/g, ' ').replace(/\.$/, '');
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
