// The embedded store shared by every process of one installation. PGlite is single-process, so
// the first process to open `<dataDir>/db` hosts it (db.lock names its pid) and serves it on the
// Unix socket `<dataDir>/.s.PGSQL.5432`; the others reach it there with node-postgres. When the
// host exits, a client whose connection is lost reopens: it finds the new host or becomes it.
// So two processes never open the same files, and `bulletin serve` runs beside any other command.

import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { fail } from '../problems.ts';
import type { Db, Queryable } from './db.ts';
import { pgliteDb } from './pglite.ts';
import { openPostgres } from './postgres.ts';
import { hostOverSocket } from './socket-host.ts';

const SOCKET_NAME = '.s.PGSQL.5432'; // node-postgres looks for <host dir>/.s.PGSQL.<port>

function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    if (!existsSync(path)) return resolve(false);
    const probe = createConnection(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Creates the lock file if nobody holds it; clears a lock left by a process that died. */
function takeLock(file: string): boolean {
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const holder = Number(readFileSync(file, 'utf8'));
    if (holder && holder !== process.pid && processAlive(holder)) return false;
    unlinkSync(file);
    return takeLock(file);
  }
}

async function host(dataDir: string, socket: string, lock: string): Promise<Db> {
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(join(dataDir, 'db'));
  } catch (err) {
    unlinkSync(lock);
    throw err;
  }
  if (existsSync(socket)) unlinkSync(socket); // left by a host that crashed
  const server = await hostOverSocket(pglite, socket);
  const db = pgliteDb(pglite);
  return {
    ...db,
    async close() {
      await server.close();
      await db.close();
      for (const file of [socket, lock]) if (existsSync(file)) unlinkSync(file);
    },
  };
}

function client(dataDir: string): Db {
  // One connection, closed soon after use: while connected, this process has the database to itself.
  return openPostgres(`postgres://postgres@localhost/postgres?host=${encodeURIComponent(dataDir)}`, {
    max: 1,
    idleTimeoutMillis: 50,
  });
}

/** Hosts the embedded database or connects to the process that does. */
async function attach(dataDir: string): Promise<Db> {
  mkdirSync(join(dataDir, 'db'), { recursive: true });
  const socket = join(dataDir, SOCKET_NAME);
  const lock = join(dataDir, 'db.lock');
  if (socket.length > 100)
    fail('data-dir-too-long', `${socket} is too long for a Unix socket.`, 'Use a shorter --data-dir.');
  for (let attempt = 0; attempt < 300; attempt++) {
    if (await socketAnswers(socket)) return client(dataDir);
    if (takeLock(lock)) return host(dataDir, socket, lock);
    await new Promise((resolve) => setTimeout(resolve, 100)); // the host is still starting
  }
  return fail(
    'store-busy',
    `The process named in ${lock} holds the database but does not answer.`,
    'Stop it, or delete the file if that process is gone.',
  );
}

const CONNECTION_LOST = new Set(['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE']);
const connectionLost = (err: unknown) =>
  CONNECTION_LOST.has((err as NodeJS.ErrnoException).code ?? '') ||
  /Connection terminated|connection ended/i.test((err as Error).message ?? '');

/**
 * The embedded store of `dataDir`. A query or transaction cut off because the host went away is
 * run again after reattaching: the host's PGlite had not committed it.
 */
export async function openEmbedded(dataDir: string): Promise<Db> {
  let current = await attach(dataDir);
  const retrying = async <T>(run: (db: Db) => Promise<T>): Promise<T> => {
    try {
      return await run(current);
    } catch (err) {
      if (!connectionLost(err)) throw err;
      await current.close().catch(() => {});
      current = await attach(dataDir);
      return run(current);
    }
  };
  return {
    query: (sql, params) => retrying((db) => db.query(sql, params)),
    transaction: <T>(work: (tx: Queryable) => Promise<T>) => retrying((db) => db.transaction(work)),
    close: () => current.close(),
  };
}
