// The campaign store of the campaign specifications: a migrated database on a PostgreSQL server of
// its own, confirmed readers, and the ledger workers claim batches from (a lease of a minute),
// opened before the file's tests and closed after them.
//
//   const store = campaignStore(5);   // then store.db, store.ledger in the tests

import { afterAll, beforeAll } from 'vitest';
import type { CampaignLedger } from '../../src/campaigns/ledger.ts';
import { postgresLedger } from '../../src/campaigns/postgres-ledger.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import { seedReaders } from './campaigns.ts';
import { type PostgresServer, startPostgres } from './postgres.ts';

export interface CampaignStore {
  db: Db;
  ledger: CampaignLedger;
}

/** With `readers` confirmed readers of The Global Eye (reader1@example.org …). */
export function campaignStore(readers: number): CampaignStore {
  const store = {} as CampaignStore;
  let postgres: PostgresServer | undefined;
  beforeAll(async () => {
    postgres = await startPostgres();
    store.db = openPostgres(await postgres.createDatabase());
    await migrate(store.db);
    store.ledger = postgresLedger(store.db, { leaseMs: 60_000 });
    await seedReaders(store.db, readers);
  });
  afterAll(async () => {
    await store.db?.close();
    await postgres?.stop();
  });
  return store;
}
