import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { fail, InternalError } from '../problems.ts';
import type { Db, Listening, Queryable } from './db.ts';

// bigint (int8) and numeric come back as strings by default; our ids and counts fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** Every connection says who it is: the private server counts them to know when it is unused. */
export const APPLICATION_NAME = 'bulletin';

export interface OutageHandling {
  /** Called while the server does not answer, before each new try (restart it, or just wait). */
  recover?: () => Promise<void>;
  /** One line when an outage starts, one when it ends. */
  onOutage?: (state: 'down' | 'up', err?: Error) => void;
  /** How long work waits for the server before the command gives up with an error. */
  maxOutageMs?: number;
}

const LOST_CODES = new Set([
  'ECONNREFUSED',
  'ENOENT',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up, shutting down, in recovery
]);

/** The server is down or went away (rather than: the query is wrong). */
export function connectionLost(err: unknown): boolean {
  const code = String((err as { code?: unknown }).code ?? '');
  return (
    LOST_CODES.has(code) ||
    code.startsWith('08') ||
    /Connection terminated|connection ended|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(
      (err as Error)?.message ?? '',
    )
  );
}

const DEFAULT_MAX_OUTAGE_MS = 10 * 60_000;

/**
 * A PostgreSQL server (DATABASE_URL, or the private one). While the server does not answer, a
 * query waits and is tried again (each a single statement or a whole transaction, so it either
 * happened entirely or not at all; a statement cut off by the crash had not committed), up to
 * `maxOutageMs`. Closing stops the waiting.
 */
export function openPostgres(
  connectionString: string,
  options: { max?: number; idleTimeoutMillis?: number } & OutageHandling = {},
): Db {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 5,
    idleTimeoutMillis: options.idleTimeoutMillis,
    connectionTimeoutMillis: 5000,
    application_name: APPLICATION_NAME,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const closing = new AbortController();
  let downSince: number | undefined;

  const resilient = async <T>(run: () => Promise<T>): Promise<T> => {
    for (;;) {
      try {
        const result = await run();
        if (downSince !== undefined) {
          downSince = undefined;
          options.onOutage?.('up');
        }
        return result;
      } catch (err) {
        if (closing.signal.aborted || !connectionLost(err)) throw err;
        if (downSince === undefined) {
          // Elapsed real time of an outage of a real server: a monotonic timer, not the Clock.
          downSince = performance.now();
          options.onOutage?.('down', err as Error);
        }
        if (performance.now() - downSince > (options.maxOutageMs ?? DEFAULT_MAX_OUTAGE_MS))
          fail(
            'database-lost',
            `The database has not answered for ${Math.round((performance.now() - downSince) / 1000)} s: ${(err as Error).message}.`,
            'Check that PostgreSQL is running (or DATABASE_URL), then run the command again.',
          );
        await (options.recover?.() ?? Promise.resolve()).catch(() => {});
        await sleep(500, undefined, { signal: closing.signal }).catch(() => {});
        if (closing.signal.aborted) throw err;
      }
    }
  };

  const on = (client: pg.Pool | pg.PoolClient): Queryable => ({
    async query(sql, params) {
      const result = await client.query(sql, params);
      return { rows: result.rows, affectedRows: result.rowCount ?? 0 };
    },
  });
  const direct = on(pool);
  const listenings = new Set<Listening>();
  return {
    query: (sql, params) => resilient(() => direct.query(sql, params)),
    transaction: (work) =>
      resilient(async () => {
        const client = await pool.connect();
        // A checked-out client has no listener of the pool's: the server dying between two
        // statements would be an unhandled 'error' event, which ends the process.
        let broken: unknown;
        const onError = (err: Error) => {
          broken ??= err;
        };
        client.on('error', onError);
        try {
          await client.query('BEGIN');
          const result = await work(on(client));
          await client.query('COMMIT');
          return result;
        } catch (err) {
          broken = err;
          await client.query('ROLLBACK').catch(() => {});
          throw err;
        } finally {
          client.off('error', onError);
          // A connection that failed is not given back for reuse.
          client.release(broken !== undefined && connectionLost(broken) ? (broken as Error) : undefined);
        }
      }),
    listen(channel, handlers) {
      const listening = listenOn(connectionString, channel, handlers, options.recover);
      listenings.add(listening);
      return {
        async close() {
          listenings.delete(listening);
          await listening.close();
        },
      };
    },
    async close() {
      closing.abort();
      await Promise.all([...listenings].map((listening) => listening.close()));
      // Clients stuck on a dead server would hold end() up: it is bounded.
      await Promise.race([pool.end(), sleep(5000, undefined, { ref: false })]);
    },
  };
}

const CHANNEL = /^[a-z_][a-z0-9_]*$/;
const RELISTEN_DELAY_MS = 1000;

/** One connection LISTENing on `channel`, connected again (after a pause) each time it is lost. */
function listenOn(
  connectionString: string,
  channel: string,
  handlers: Parameters<Db['listen']>[1],
  recover: OutageHandling['recover'],
): Listening {
  if (!CHANNEL.test(channel)) throw new InternalError(`not a channel name: ${channel}`);
  const closing = new AbortController();
  let client: pg.Client | undefined;
  const connect = async (): Promise<void> => {
    while (!closing.signal.aborted) {
      const next = new pg.Client({ connectionString, application_name: APPLICATION_NAME });
      next.on('error', () => {}); // 'end' follows, and that reconnects
      try {
        await next.connect();
        await next.query(`LISTEN ${channel}`);
        if (closing.signal.aborted) {
          await next.end();
          return;
        }
        client = next;
        next.on('notification', (message) => {
          if (message.channel === channel) handlers.onMessage(message.payload ?? '');
        });
        next.once('end', () => {
          client = undefined;
          if (!closing.signal.aborted) void connect();
        });
        await Promise.resolve(handlers.onConnected?.()).catch(() => {});
        return;
      } catch {
        await next.end().catch(() => {});
        await (recover?.() ?? Promise.resolve()).catch(() => {});
        await sleep(RELISTEN_DELAY_MS, undefined, { signal: closing.signal }).catch(() => {});
      }
    }
  };
  const connecting = connect();
  return {
    async close() {
      closing.abort();
      await connecting.catch(() => {});
      await client?.end().catch(() => {});
    },
  };
}
