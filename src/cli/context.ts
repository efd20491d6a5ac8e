import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Db } from '../store/db.ts';

/** What every command gets: configuration parsed once, and where to write. */
export interface CliContext {
  config(): Config;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** The one clock every command takes the time from. */
  clock: Clock;
  /** Set by a command that failed without throwing (e.g. `check` found errors). */
  exitCode: number;
}

/** Opens the store for one piece of work; its code (database drivers) loads only when a command needs it. */
export async function withStore<T>(config: Config, work: (db: Db) => Promise<T>): Promise<T> {
  const store = await import('../store/open.ts');
  return store.withStore(config, work);
}
