import type { Db } from './db.ts';
import { openEmbedded } from './embedded.ts';
import { migrate } from './migrate.ts';
import { openPostgres } from './postgres.ts';

export interface StoreConfig {
  dataDir: string;
  databaseUrl?: string;
}

/**
 * The store of this installation, migrated: PostgreSQL at DATABASE_URL, else the embedded database
 * in `<dataDir>/db`, shared with the installation's other processes (see embedded.ts).
 */
export async function openStore(config: StoreConfig): Promise<Db> {
  const db = config.databaseUrl ? openPostgres(config.databaseUrl) : await openEmbedded(config.dataDir);
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}

/** Opens the store for the length of `work` (one CLI command) and always closes it. */
export async function withStore<T>(config: StoreConfig, work: (db: Db) => Promise<T>): Promise<T> {
  const db = await openStore(config);
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}
