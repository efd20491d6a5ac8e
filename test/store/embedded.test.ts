// The embedded store: a private PostgreSQL server in the data dir, started on demand, shared by
// every process, started again by whoever finds it dead, stopped by the last user.

import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresAnswers, privatePostgresPaths } from '../../src/services/postgres.ts';
import type { Db } from '../../src/store/db.ts';
import { openStore } from '../../src/store/open.ts';
import { BIN } from '../support/cli.ts';
import { tempDataDir } from '../support/data-dir.ts';

const insert =
  "INSERT INTO subscribers (publication, email, status, source, created_at, updated_at) VALUES ('global-eye', $1, 'confirmed', 'import', now(), now())";
const emails = async (db: Db) =>
  (await db.query<{ email: string }>('SELECT email FROM subscribers ORDER BY id')).rows.map((r) => r.email);
const url = (dir: string) =>
  `postgres://postgres@localhost/postgres?host=${encodeURIComponent(privatePostgresPaths(dir).socketDir)}`;
const postmasterPid = (dir: string) =>
  Number(readFileSync(join(privatePostgresPaths(dir).cluster, 'postmaster.pid'), 'utf8').split('\n')[0]);
const silent = { warn: () => {}, info: () => {} };

describe('the embedded store: a private PostgreSQL server', () => {
  const data = tempDataDir();
  afterAll(() => data.remove());

  it('is created on first use, shared by every opener over a socket in the data dir, stopped by the last', async () => {
    const first = await openStore({ dataDir: data.dir }, silent);
    const second = await openStore({ dataDir: data.dir }, silent);
    try {
      expect(existsSync(join(data.dir, 'postgres', 'PG_VERSION'))).toBe(true);
      expect(existsSync(join(data.dir, 'postgres', '.s.PGSQL.5432'))).toBe(true);
      await second.query(insert, ['ann@example.org']);
      await first.transaction((tx) => tx.query(insert, ['bob@example.org']));
      expect(await emails(first)).toEqual(['ann@example.org', 'bob@example.org']);
    } finally {
      await first.close();
    }
    // The second still uses it: it keeps running.
    expect(await postgresAnswers(url(data.dir))).toBe(true);
    expect(await emails(second)).toHaveLength(2);
    await second.close();
    expect(await postgresAnswers(url(data.dir))).toBe(false);
  });

  it('another `bulletin` command works while this process has the store open', async () => {
    const db = await openStore({ dataDir: data.dir }, silent);
    try {
      const stdout = await new Promise<string>((resolve, reject) =>
        execFile(
          process.execPath,
          [BIN, '--data-dir', data.dir, 'subscribers', '--publication', 'global-eye', 'list'],
          (err, out) => (err ? reject(err) : resolve(out)),
        ),
      );
      expect(stdout).toBe('ann@example.org\tconfirmed\t\nbob@example.org\tconfirmed\t\n');
      expect(await emails(db)).toHaveLength(2);
    } finally {
      await db.close();
    }
  });

  it('killed with SIGKILL: the process using it starts it again, nothing committed is lost', async () => {
    const db = await openStore({ dataDir: data.dir }, silent);
    try {
      await db.query(insert, ['cy@example.org']);
      process.kill(postmasterPid(data.dir), 'SIGKILL');
      // The next query waits for the restart (crash recovery from the WAL) instead of failing.
      await db.query(insert, ['di@example.org']);
      expect(await emails(db)).toEqual([
        'ann@example.org',
        'bob@example.org',
        'cy@example.org',
        'di@example.org',
      ]);
    } finally {
      await db.close();
    }
  });

  it('falls back to a short socket directory under /tmp when the data dir is too deep for one', () => {
    const deep = join('/srv', 'x'.repeat(100));
    const { socketDir, cluster } = privatePostgresPaths(deep);
    expect(cluster).toBe(join(deep, 'postgres'));
    expect(socketDir).toMatch(/^\/tmp\/bulletin-pg-[0-9a-f]{16}$/);
    expect(privatePostgresPaths(deep).socketDir).toBe(socketDir);
    expect(privatePostgresPaths(data.dir).socketDir).toBe(join(data.dir, 'postgres'));
  });
});
