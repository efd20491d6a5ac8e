// Runs a store suite against both backends: embedded PGlite (in memory) and a real PostgreSQL
// server started for the file. Each `open()` gives a fresh, migrated, empty database.
//
//   describe.each(storeBackends())('subscribers on $name', ({ open }) => { … });

import { afterAll } from 'vitest';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPglite } from '../../src/store/pglite.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import { type PostgresServer, startPostgres } from './postgres.ts';

export interface StoreBackend {
  name: string;
  open(): Promise<Db>;
}

export function storeBackends(): StoreBackend[] {
  let server: Promise<PostgresServer> | undefined;
  const opened: Db[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((db) => db.close().catch(() => {})));
    await (await server)?.stop();
  });
  const track = async (db: Db) => {
    opened.push(db);
    await migrate(db);
    return db;
  };
  return [
    { name: 'PGlite', open: async () => track(await openPglite()) },
    {
      name: 'PostgreSQL',
      open: async () => {
        server ??= startPostgres();
        return track(openPostgres(await (await server).createDatabase()));
      },
    },
  ];
}
