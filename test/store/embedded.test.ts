import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.ts';
import type { bulletin } from '../support/cli.ts';
import { tempDataDir } from '../support/data-dir.ts';

const insert =
  "INSERT INTO subscribers (publication, email, status, source, created_at, updated_at) VALUES ('global-eye', $1, 'confirmed', 'import', now(), now())";
const emails = async (db: Awaited<ReturnType<typeof openStore>>) =>
  (await db.query<{ email: string }>('SELECT email FROM subscribers ORDER BY id')).rows.map((r) => r.email);

describe('the embedded store shared between processes', () => {
  const data = tempDataDir();
  afterAll(() => data.remove());

  it('the first opener hosts it on a Unix socket; the next one connects there', async () => {
    const host = await openStore({ dataDir: data.dir });
    const other = await openStore({ dataDir: data.dir });
    try {
      expect(existsSync(join(data.dir, '.s.PGSQL.5432'))).toBe(true);
      await other.query(insert, ['ann@example.org']);
      await host.transaction((tx) => tx.query(insert, ['bob@example.org']));
      expect(await emails(host)).toEqual(['ann@example.org', 'bob@example.org']);
      expect(await emails(other)).toEqual(['ann@example.org', 'bob@example.org']);
    } finally {
      await other.close();
      await host.close();
    }
    expect(existsSync(join(data.dir, 'db.lock'))).toBe(false);
  });

  it('another `bulletin` command works while this process has the store open', async () => {
    const host = await openStore({ dataDir: data.dir });
    try {
      const result = await new Promise<ReturnType<typeof bulletin>>((resolve) =>
        // Spawned asynchronously: this process must keep serving the socket meanwhile.
        setImmediate(async () => {
          const { execFile } = await import('node:child_process');
          const { BIN } = await import('../support/cli.ts');
          execFile(
            process.execPath,
            [BIN, '--data-dir', data.dir, 'subscribers', '--publication', 'global-eye', 'list'],
            (err, stdout, stderr) => resolve({ status: err ? 1 : 0, stdout, stderr }),
          );
        }),
      );
      expect(result.stdout).toBe('ann@example.org\tconfirmed\t\nbob@example.org\tconfirmed\t\n');
      expect(await emails(host)).toHaveLength(2); // and we can still use it
    } finally {
      await host.close();
    }
  });

  it('when the host exits, a client carries on by hosting it itself', async () => {
    const host = await openStore({ dataDir: data.dir });
    const other = await openStore({ dataDir: data.dir });
    await host.close();
    await other.query(insert, ['cy@example.org']);
    expect(await emails(other)).toEqual(['ann@example.org', 'bob@example.org', 'cy@example.org']);
    expect(existsSync(join(data.dir, 'db.lock'))).toBe(true);
    await other.close();
  });

  it('takes over a lock left by a process that died', async () => {
    writeFileSync(join(data.dir, 'db.lock'), '999999999');
    const db = await openStore({ dataDir: data.dir });
    expect(await emails(db)).toHaveLength(3);
    await db.close();
  });
});
