// The data directory (--data-dir, BULLETIN_DATA_DIR): made if missing and checked writable before
// a process that keeps state in it starts, and the one wording of why it cannot be used.

import { accessSync, constants, mkdirSync } from 'node:fs';
import { BulletinError, type Problem, problem } from './problems.ts';

/** Why the data dir, or something a command creates in it, cannot be written, by errno. */
const UNWRITABLE = new Map<string, string>([
  ['ENOTDIR', 'a file stands where a folder should be'],
  ['EEXIST', 'a file stands where a folder should be'],
  ['EACCES', 'permission denied'],
  ['EPERM', 'not permitted'],
  ['EROFS', 'read-only file system'],
  ['ENOSPC', 'no space left on the device'],
]);

/** The data-dir-unwritable problem for a file-system error inside `dir`, if it is one. */
export function dataDirProblem(dir: string, err: NodeJS.ErrnoException): Problem | undefined {
  const why = UNWRITABLE.get(err.code ?? '');
  if (!why) return undefined;
  return problem('data-dir-unwritable', { dir, path: err.path ?? dir, reason: `${err.code}: ${why}` });
}

/** Makes the data dir if need be and checks this user may write in it; else one problem. */
export function ensureDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    const found = dataDirProblem(dir, err as NodeJS.ErrnoException);
    if (found) throw new BulletinError(found);
    throw err;
  }
}
