// src/services: the private servers of a data dir (PostgreSQL here, redis.ts), started on demand
// under a machine-wide lock (lock.ts).
//
// A private PostgreSQL server for installations without DATABASE_URL, run like the private
// redis-server: cluster in <dataDir>/postgres (initdb on first use), reached over a Unix socket in
// it (no TCP port), shared by every bulletin process of the installation. Whoever needs it and
// finds it down starts it, under a machine-wide lock, in its own session so it outlives its
// starter; each process keeps one "presence" connection, and the last one to leave stops it.
// PostgreSQL refuses to run as root: under root it runs as the `postgres` user (or `nobody`).

import { execFile, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { fail } from '../problems.ts';
import { withMachineLock } from './lock.ts';

/** Where the machine's PostgreSQL programs are (pg_ctl, initdb, postgres), if anywhere. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const dir = join(root, version, 'bin');
    if (existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  try {
    const dir = execFileSync('sh', ['-c', 'dirname "$(command -v pg_ctl)"'], { encoding: 'utf8' }).trim();
    return existsSync(join(dir, 'pg_ctl')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

export interface PostgresUser {
  name: string;
  uid: number;
  gid: number;
}

let cachedUser: PostgresUser | null | undefined;

/** The unprivileged user PostgreSQL runs as when we are root; undefined when we are not root. */
export function postgresUser(): PostgresUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  if (cachedUser === undefined) {
    cachedUser = null;
    for (const name of ['postgres', 'nobody']) {
      try {
        const id = (flag: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
        cachedUser = { name, uid: id('-u'), gid: id('-g') };
        break;
      } catch {
        // try the next one
      }
    }
  }
  if (!cachedUser)
    fail('no-postgres-user', 'Running as root, and there is no postgres user to run PostgreSQL as.');
  return cachedUser;
}

/** Runs a PostgreSQL program (initdb, pg_ctl), as the postgres user when we are root. */
export function runPostgresProgram(bin: string, args: string[]): Promise<string> {
  const user = postgresUser();
  return new Promise((resolve, reject) =>
    execFile(bin, args, { uid: user?.uid, gid: user?.gid, cwd: '/' }, (err, stdout, stderr) =>
      err ? reject(Object.assign(err, { stderr })) : resolve(stdout),
    ),
  );
}

/** Makes `path` belong to the postgres user when we are root (it must own its files). */
export function giveToPostgres(path: string): void {
  const user = postgresUser();
  if (user) chownSync(path, user.uid, user.gid);
}

const SOCKET_FILE = '.s.PGSQL.5432'; // node-postgres looks for <host>/.s.PGSQL.<port>
const MAX_SOCKET_PATH = 107; // sun_path is 108 bytes on Linux (with the NUL)
const START_TIMEOUT_MS = 60_000;

/** The settings of the private server: small (a 1 GB machine), crash-safe (fsync stays on). */
const SERVER_SETTINGS = [
  'listen_addresses=',
  'max_connections=60',
  'shared_buffers=32MB',
  'max_wal_size=256MB',
  'dynamic_shared_memory_type=posix',
];

export interface PrivatePostgres {
  /** node-postgres connection string for `database` over the private socket. */
  url(database?: string): string;
  /** Starts the server unless it answers; one process at a time (the others wait and see it up). */
  ensureRunning(): Promise<void>;
  /** Lets go of the server: stops it when no other bulletin process is connected. */
  release(): Promise<void>;
}

export interface PrivatePostgresOptions {
  /** Told once per outage that the server was found down and is being started again. */
  onRestart?: () => void;
}

export function privatePostgresPaths(dataDir: string): { cluster: string; socketDir: string; log: string } {
  const cluster = join(dataDir, 'postgres');
  // A data dir deep enough that the socket path would not fit gets a short one under /tmp.
  const socketDir =
    join(cluster, SOCKET_FILE).length <= MAX_SOCKET_PATH
      ? cluster
      : join(tmpdir(), `bulletin-pg-${createHash('sha256').update(cluster).digest('hex').slice(0, 16)}`);
  return { cluster, socketDir, log: join(dataDir, 'postgres.log') };
}

/** Whether the server at `url` accepts a query now (not starting up, not shutting down). */
export async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function usePrivatePostgres(
  dataDir: string,
  options: PrivatePostgresOptions = {},
): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  if (!bin)
    fail(
      'no-postgresql',
      'PostgreSQL is not installed, and DATABASE_URL is not set.',
      'Run scripts/install-system-packages (apt-get install postgresql), or set DATABASE_URL=postgres://…',
    );
  const { cluster, socketDir, log } = privatePostgresPaths(dataDir);
  const url = (database = 'postgres') =>
    `postgres://postgres@localhost/${database}?host=${encodeURIComponent(socketDir)}`;

  const prepareDirs = () => {
    mkdirSync(dataDir, { recursive: true });
    if (postgresUser()) {
      // The server (another user) must be able to pass through the data dir; nothing is listed.
      chmodSync(dataDir, statSync(dataDir).mode | 0o011);
    }
    if (socketDir !== cluster && !existsSync(socketDir)) {
      mkdirSync(socketDir, { mode: 0o700 });
      giveToPostgres(socketDir);
    }
  };

  const initdb = async () => {
    // Into a fresh directory renamed into place: a crash half-way leaves no half-made cluster.
    const fresh = `${cluster}.initdb`;
    rmSync(fresh, { recursive: true, force: true });
    mkdirSync(fresh, { mode: 0o700 });
    giveToPostgres(fresh);
    try {
      await runPostgresProgram(join(bin, 'initdb'), [
        '-D',
        fresh,
        '-U',
        'postgres',
        '--auth=trust',
        '-E',
        'UTF8',
        '--locale=C',
        '--no-instructions',
      ]);
    } catch (err) {
      fail(
        'initdb-failed',
        `initdb could not create the database in ${fresh}: ${String((err as { stderr?: string }).stderr ?? err).trim()}`,
        postgresUser()
          ? `PostgreSQL runs as ${postgresUser()?.name}: every directory above ${dataDir} must be searchable by it.`
          : undefined,
      );
    }
    renameSync(fresh, cluster);
  };

  const start = async () => {
    const user = postgresUser();
    const logFd = openSync(log, 'a');
    try {
      const child = spawn(
        join(bin, 'postgres'),
        ['-D', cluster, '-k', socketDir, ...SERVER_SETTINGS.flatMap((s) => ['-c', s])],
        // Its own session: it outlives the process that started it and ignores signals sent to
        // that process's group; the last user stops it (release) and anyone restarts it.
        { detached: true, stdio: ['ignore', logFd, logFd], uid: user?.uid, gid: user?.gid, cwd: '/' },
      );
      child.once('error', () => {});
      child.unref();
      return child;
    } finally {
      closeSync(logFd);
    }
  };

  const ensureRunning = async () => {
    if (await postgresAnswers(url())) return;
    await withMachineLock(`postgres:${cluster}`, async () => {
      if (await postgresAnswers(url())) return;
      prepareDirs();
      if (!existsSync(join(cluster, 'PG_VERSION'))) await initdb();
      if (wasRunning) options.onRestart?.();
      // Elapsed real time while a real server starts: a monotonic timer, not the Clock.
      const deadline = performance.now() + START_TIMEOUT_MS;
      let child = await start();
      while (performance.now() < deadline) {
        if (await postgresAnswers(url())) return;
        // A server killed with -9 leaves backends that hold its shared memory for a moment: the
        // new one refuses to start until they are gone, so start it again. A server doing crash
        // recovery keeps running and answers once its WAL is replayed.
        if (child.exitCode !== null || child.signalCode !== null) child = await start();
        await sleep(200);
      }
      fail(
        'postgres-timeout',
        `PostgreSQL did not start within ${START_TIMEOUT_MS / 1000} s.`,
        `See ${log}.`,
      );
    });
  };

  let wasRunning = false; // the first start of this process is not a restart
  await ensureRunning();
  wasRunning = true;

  return {
    url,
    ensureRunning,
    async release() {
      // Under the lock, so of several processes leaving at once the last one sees the others gone.
      await withMachineLock(`postgres:${cluster}`, async () => {
        const others = async () => {
          const control = new pg.Client({ connectionString: url(), connectionTimeoutMillis: 2000 });
          control.on('error', () => {});
          try {
            await control.connect();
            const { rows } = await control.query<{ n: number }>(
              "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'bulletin'",
            );
            return rows[0]?.n ?? 0;
          } finally {
            await control.end().catch(() => {});
          }
        };
        try {
          // A backend whose client just left can linger a moment: look twice before keeping it up.
          if ((await others()) > 0 && (await sleep(300).then(others)) > 0) return;
          await runPostgresProgram(join(bin, 'pg_ctl'), [
            '-D',
            cluster,
            '-m',
            'fast',
            '-w',
            '-t',
            '20',
            'stop',
          ]);
        } catch {
          // Already down, or stopping: nothing to release.
        }
      }).catch(() => {});
    },
  };
}
