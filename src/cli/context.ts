import type { Config } from '../config.ts';

/** What every command gets: configuration parsed once, and where to write. */
export interface CliContext {
  config(): Config;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Set by a command that failed without throwing (e.g. `check` found errors). */
  exitCode: number;
}
