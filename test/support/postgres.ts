// A real PostgreSQL server for one test file, reached over TCP as a DATABASE_URL would be, from
// the machine's own binaries found as bulletin finds them (src/services/postgres.ts): initdb into
// a temp dir, pg_ctl start on a free loopback port, fsync off; as the `postgres` user under root.
//
//   const pg = await startPostgres();           // in beforeAll
//   const url = await pg.createDatabase();      // a fresh, empty database per test or suite
//   await pg.stop();                            // in afterAll: stops the server, removes the dir

import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { postgresBinDir, postgresUser, runPostgresProgram } from '../../src/services/postgres.ts';
import { freePort } from './ports.ts';

export interface PostgresServer {
  url: string;
  createDatabase(): Promise<string>;
  /** Stops the server (an outage), keeping its data; `start` brings it back on the same port. */
  halt(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Runs a PostgreSQL program, as the postgres user when we are root (the same rule as bulletin's own). */
function runner(): { run(bin: string, args: string[]): void; uid?: number; gid?: number } {
  const user = postgresUser();
  return {
    uid: user?.uid,
    gid: user?.gid,
    run: (bin, args) => execFileSync(bin, args, { stdio: 'pipe', uid: user?.uid, gid: user?.gid, cwd: '/' }),
  };
}

function binDir(): string {
  const dir = postgresBinDir();
  if (!dir)
    throw new Error('PostgreSQL binaries not found: apt-get install postgresql (or brew install postgresql)');
  return dir;
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = binDir();
  const as = runner();
  const dir = mkdtempSync(join(tmpdir(), 'bulletin-pg-'));
  if (as.uid !== undefined && as.gid !== undefined) chownSync(dir, as.uid, as.gid);
  const data = join(dir, 'data');
  const port = await freePort();
  as.run(join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-sync',
    '--no-instructions',
  ]);
  const startArgs = [
    '-D',
    data,
    '-l',
    join(dir, 'log'),
    '-w',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`,
    'start',
  ];
  as.run(join(bin, 'pg_ctl'), startArgs);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let databases = 0;
  return {
    url,
    async createDatabase() {
      const name = `test_${process.pid}_${++databases}`;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`CREATE DATABASE ${name}`);
      await client.end();
      return url.replace(/\/postgres$/, `/${name}`);
    },
    // Asynchronous, so a test process serving an SMTP sink keeps serving meanwhile.
    halt: async () => {
      await runPostgresProgram(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
    },
    start: async () => {
      await runPostgresProgram(join(bin, 'pg_ctl'), startArgs);
    },
    async stop() {
      try {
        as.run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
