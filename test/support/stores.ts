// Runs a store suite against both ways bulletin reaches PostgreSQL: the private server of a data
// directory (the embedded default, over its Unix socket) and a server at a DATABASE_URL (TCP).
// Each `open()` gives a fresh, migrated, empty database.
//
//   describe.each(storeBackends())('subscribers on $name', ({ open }) => { … });

import pg from 'pg';
import { afterAll } from 'vitest';
import { type PrivatePostgres, usePrivatePostgres } from '../../src/services/postgres.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import { tempDataDir } from './data-dir.ts';
import { type PostgresServer, startPostgres } from './postgres.ts';

export interface StoreBackend {
  name: string;
  open(): Promise<Db>;
}

export function storeBackends(): StoreBackend[] {
  let server: Promise<PostgresServer> | undefined;
  let embedded: Promise<PrivatePostgres> | undefined;
  const data = tempDataDir();
  let databases = 0;
  const opened: Db[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((db) => db.close().catch(() => {})));
    await (await server)?.stop();
    await (await embedded)?.release();
    data.remove();
  });
  const track = async (db: Db) => {
    opened.push(db);
    await migrate(db);
    return db;
  };
  return [
    {
      name: 'the private PostgreSQL server',
      open: async () => {
        embedded ??= usePrivatePostgres(data.dir);
        const service = await embedded;
        const name = `test_${++databases}`;
        const admin = new pg.Client({ connectionString: service.url() });
        await admin.connect();
        await admin.query(`CREATE DATABASE ${name}`);
        await admin.end();
        return track(openPostgres(service.url(name)));
      },
    },
    {
      name: 'PostgreSQL at a URL',
      open: async () => {
        server ??= startPostgres();
        return track(openPostgres(await (await server).createDatabase()));
      },
    },
  ];
}
