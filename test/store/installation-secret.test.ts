// The token secret lives in the database, shared by every process on every machine: written once
// by the first, read by the others; a process configured with another one refuses to start.

import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatProblem } from '../../src/problems.ts';
import type { Db } from '../../src/store/db.ts';
import { installationSecret } from '../../src/store/installation-secret.ts';
import { openStore } from '../../src/store/open.ts';
import { freshDataDirs } from '../support/data-dir.ts';
import { type PostgresServer, startPostgres } from '../support/postgres.ts';

const quiet = { warn: () => {}, info: () => {} };
const freshDataDir = freshDataDirs();

let postgres: PostgresServer;
beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres?.stop();
});

/** A database of its own, opened (and migrated) as a process of the installation opens it. */
async function installation(): Promise<{ url: string; open(): Promise<Db> }> {
  const url = await postgres.createDatabase();
  return { url, open: () => openStore({ dataDir: freshDataDir(), databaseUrl: url }, quiet) };
}

describe('installationSecret', () => {
  it('is created once and shared: processes with data dirs of their own all get the same one', async () => {
    const { open } = await installation();
    const stores = await Promise.all([open(), open(), open(), open()]);
    try {
      const dataDirs = stores.map(() => freshDataDir());
      // Four processes starting at once, each on its own machine (data dir).
      const secrets = await Promise.all(
        stores.map((db, i) => installationSecret(db, { dataDir: dataDirs[i] as string })),
      );
      expect(secrets[0]?.length).toBeGreaterThanOrEqual(32);
      for (const secret of secrets) expect(secret).toEqual(secrets[0]);
      // A later process on yet another machine reads it; it writes nothing into its data dir.
      const later = freshDataDir();
      expect(await installationSecret(stores[0] as Db, { dataDir: later })).toEqual(secrets[0]);
      expect(existsSync(join(later, 'secret'))).toBe(false);
    } finally {
      await Promise.all(stores.map((db) => db.close()));
    }
  });

  it('takes BULLETIN_SECRET when the first process has it, and refuses another one after', async () => {
    const { open } = await installation();
    const db = await open();
    try {
      const configured = 'a'.repeat(40);
      expect((await installationSecret(db, { dataDir: freshDataDir(), secret: configured })).toString()).toBe(
        configured,
      );
      // Same value on another machine: fine; none: the database's.
      expect((await installationSecret(db, { dataDir: freshDataDir(), secret: configured })).toString()).toBe(
        configured,
      );
      expect((await installationSecret(db, { dataDir: freshDataDir() })).toString()).toBe(configured);
      const refused = await installationSecret(db, { dataDir: freshDataDir(), secret: 'b'.repeat(40) }).then(
        () => undefined,
        (err) => err,
      );
      expect(refused?.problems?.[0]?.code).toBe('secret-mismatch');
      const line = formatProblem(refused.problems[0]);
      expect(line).not.toContain('\n');
      expect(line).toMatch(/^error secret-mismatch: BULLETIN_SECRET is not this installation's token secret/);
      expect(line).not.toContain('b'.repeat(40)); // the secret itself is never printed
    } finally {
      await db.close();
    }
  });

  it("keeps an existing installation's links working: the data dir's secret becomes the installation's", async () => {
    const { open } = await installation();
    const db = await open();
    try {
      const dataDir = freshDataDir();
      writeFileSync(join(dataDir, 'secret'), 'legacy-secret-from-the-data-dir-0123456789');
      expect((await installationSecret(db, { dataDir })).toString()).toBe(
        'legacy-secret-from-the-data-dir-0123456789',
      );
      expect((await installationSecret(db, { dataDir: freshDataDir() })).toString()).toBe(
        'legacy-secret-from-the-data-dir-0123456789',
      );
    } finally {
      await db.close();
    }
  });
});
