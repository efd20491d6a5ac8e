import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, migrate } from '../../src/store/migrate.ts';
import { openStore } from '../../src/store/open.ts';
import { storeBackends } from '../support/stores.ts';

describe.each(storeBackends())('the store on $name', ({ open }) => {
  it('applies every migration once and records it', async () => {
    const db = await open();
    const { rows } = await db.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
    const files = readdirSync(MIGRATIONS_DIR)
      .filter((f) => f.endsWith('.sql'))
      .sort();
    expect(files.slice(0, 2)).toEqual(['001_subscribers.sql', '002_contributions.sql']);
    expect(rows.map((r) => r.name)).toEqual(files);
    expect(await migrate(db)).toEqual([]);
  });

  it('applies new migration files after the recorded ones, in order', async () => {
    const db = await open();
    const dir = mkdtempSync(join(tmpdir(), 'bulletin-migrations-'));
    try {
      writeFileSync(join(dir, '901_b.sql'), 'CREATE TABLE b (id int);\nINSERT INTO b VALUES (1);');
      writeFileSync(join(dir, '900_a.sql'), '-- first\nCREATE TABLE a (id int);');
      expect(await migrate(db, dir)).toEqual(['900_a.sql', '901_b.sql']);
      expect((await db.query('SELECT * FROM b')).rows).toEqual([{ id: 1 }]);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('rolls a transaction back when its work throws', async () => {
    const db = await open();
    await db.query('CREATE TABLE t (n int)');
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES ($1)', [1]);
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    await db.transaction((tx) => tx.query('INSERT INTO t VALUES ($1)', [2]));
    expect((await db.query('SELECT n FROM t')).rows).toEqual([{ n: 2 }]);
  });

  it('reports affected rows and returns bigint ids as numbers', async () => {
    const db = await open();
    await db.query('CREATE TABLE t (id bigserial, n int)');
    const insert = await db.query<{ id: number }>('INSERT INTO t (n) VALUES (1), (2) RETURNING id');
    expect(insert.rows.map((r) => r.id)).toEqual([1, 2]);
    expect((await db.query('UPDATE t SET n = 0')).affectedRows).toBe(2);
  });
});

describe('openStore without DATABASE_URL', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bulletin-data-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps the embedded database under the data directory, across restarts', async () => {
    const first = await openStore({ dataDir });
    await first.query(
      "INSERT INTO subscribers (publication, email, status, source, created_at, updated_at) VALUES ('p', 'a@b.org', 'pending', 'email', now(), now())",
    );
    await first.close();
    const second = await openStore({ dataDir });
    expect((await second.query('SELECT email FROM subscribers')).rows).toEqual([{ email: 'a@b.org' }]);
    await second.close();
  });
});
