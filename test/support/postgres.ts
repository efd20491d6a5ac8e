// A real PostgreSQL server for one test file, from the machine's own binaries (apt: postgresql):
// initdb into a temp dir, pg_ctl start on a free loopback port, fsync off. PostgreSQL refuses to
// run as root, so under root (containers, CI) it runs as the `postgres` user (or `nobody`).
//
//   const pg = await startPostgres();           // in beforeAll
//   const url = await pg.createDatabase();      // a fresh, empty database per test or suite
//   await pg.stop();                            // in afterAll: stops the server, removes the dir

import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './ports.ts';

export interface PostgresServer {
  url: string;
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const dir = join(root, version, 'bin');
    if (existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  try {
    return execFileSync('sh', ['-c', 'dirname "$(command -v pg_ctl)"'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('PostgreSQL binaries not found: apt-get install postgresql (or brew install postgresql)');
  }
}

/** Runs a PostgreSQL binary, as an unprivileged user when we are root. */
function runner(): { run(bin: string, args: string[]): void; uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return { run: (bin, args) => execFileSync(bin, args, { stdio: 'pipe' }) };
  const user = ['postgres', 'nobody'].find((u) => {
    try {
      execFileSync('id', ['-u', u], { stdio: 'pipe' });
      return true;
    } catch {
      return false;
    }
  });
  if (!user) throw new Error('running as root and there is no postgres or nobody user to run PostgreSQL as');
  const id = (flag: string) => Number(execFileSync('id', [flag, user], { encoding: 'utf8' }).trim());
  return {
    uid: id('-u'),
    gid: id('-g'),
    run: (bin, args) => execFileSync('runuser', ['-u', user, '--', bin, ...args], { stdio: 'pipe' }),
  };
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
  as.run(join(bin, 'pg_ctl'), [
    '-D',
    data,
    '-l',
    join(dir, 'log'),
    '-w',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`,
    'start',
  ]);
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
    async stop() {
      try {
        as.run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
