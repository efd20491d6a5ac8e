import pg from 'pg';
import type { Db, Queryable } from './db.ts';

// bigint (int8) and numeric come back as strings by default; our ids and counts fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** A PostgreSQL server (DATABASE_URL) or the embedded store shared over its socket. */
export function openPostgres(
  connectionString: string,
  options: { max?: number; idleTimeoutMillis?: number } = {},
): Db {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 5,
    idleTimeoutMillis: options.idleTimeoutMillis,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const on = (client: pg.Pool | pg.PoolClient): Queryable => ({
    async query(sql, params) {
      const result = await client.query(sql, params);
      return { rows: result.rows, affectedRows: result.rowCount ?? 0 };
    },
  });
  return {
    ...on(pool),
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(on(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
