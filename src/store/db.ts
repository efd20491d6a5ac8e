// src/store: the database: one interface (this file), opening it (open.ts), its migrations.
//
// One database interface over node-postgres (DATABASE_URL, or the private server of the data
// dir). Everything above src/store speaks PostgreSQL through this and nothing else.

export interface QueryResult<Row> {
  rows: Row[];
  /** Rows changed by INSERT/UPDATE/DELETE. */
  affectedRows: number;
}

export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<Row>>;
}

export interface Listening {
  close(): Promise<void>;
}

export interface Db extends Queryable {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * LISTEN on `channel` over a connection of its own, made again whenever it is lost. Each NOTIFY's
   * payload goes to `onMessage`; `onConnected` runs after every (re)connection, since what was
   * notified while no connection listened is lost: the listener catches up there.
   */
  listen(
    channel: string,
    handlers: { onMessage(payload: string): void; onConnected?(): void | Promise<void> },
  ): Listening;
  close(): Promise<void>;
}
