import { PGlite } from '@electric-sql/pglite';
import type { Db } from './db.ts';

/** A Db over an open PGlite. */
export function pgliteDb(pglite: PGlite): Db {
  return {
    async query(sql, params) {
      const result = await pglite.query<never>(sql, params);
      return { rows: result.rows, affectedRows: result.affectedRows ?? 0 };
    },
    transaction: (work) =>
      pglite.transaction((tx) =>
        work({
          async query(sql, params) {
            const result = await tx.query<never>(sql, params);
            return { rows: result.rows, affectedRows: result.affectedRows ?? 0 };
          },
        }),
      ),
    close: () => pglite.close(),
  };
}

/** A private in-memory database (tests). Installations use openEmbedded, which shares one. */
export async function openPglite(): Promise<Db> {
  return pgliteDb(await PGlite.create());
}
