// Watches what an issue is built from and calls back once per burst of saves.
//
// fs.watch on the folders, not on the files: editors that save by writing a temporary file and
// renaming it over the original replace the file's inode, which a watch on the file loses but a
// watch on its folder sees. chokidar 4 handles that too, but it throttles change events to one per
// path per 50 ms with no trailing event, so the last write of a burst can go unseen; here every
// event counts and the debounce below decides when to build.

import { type FSWatcher, readdirSync, watch } from 'node:fs';
import { join } from 'node:path';

export interface WatchTarget {
  /** A folder to watch, with its subfolders. */
  folder: string;
  /** Whether a change to this file (an absolute path inside `folder`) should trigger a build. */
  relevant(file: string): boolean;
}

export interface WatchOptions {
  /** Quiet time after the last event of a burst before building. */
  quietMs?: number;
  /** A build starts at most this long after the first event, even if saves keep coming. */
  maxWaitMs?: number;
  /** A folder could not be watched (deleted, unreadable): said once, the others keep working. */
  onWarning?(message: string): void;
}

export interface Watcher {
  close(): void;
}

/** Subfolders deeper than this are not watched: an issue's images sit one or two levels down. */
const MAX_DEPTH = 4;

export function watchFolders(
  targets: readonly WatchTarget[],
  onChange: (files: string[]) => void,
  options: WatchOptions = {},
): Watcher {
  const quietMs = options.quietMs ?? 25;
  const maxWaitMs = options.maxWaitMs ?? 150;
  const watchers = new Map<string, FSWatcher>();
  let changed = new Set<string>();
  let quiet: NodeJS.Timeout | undefined;
  let deadline: NodeJS.Timeout | undefined;
  let closed = false;

  const fire = () => {
    clearTimeout(quiet);
    clearTimeout(deadline);
    quiet = deadline = undefined;
    const files = [...changed];
    changed = new Set();
    if (files.length && !closed) onChange(files);
  };

  const event = (target: WatchTarget, folder: string, depth: number, name: string | null) => {
    if (closed) return;
    if (!name) {
      // Some platforms do not say which file changed: assume the worst.
      changed.add(folder);
    } else {
      const file = join(folder, name);
      // A folder created (or renamed into place) after start: watch it too.
      if (depth < MAX_DEPTH && !watchers.has(file)) add(target, file, depth + 1, false);
      if (!target.relevant(file)) return;
      changed.add(file);
    }
    clearTimeout(quiet);
    quiet = setTimeout(fire, quietMs);
    deadline ??= setTimeout(fire, maxWaitMs);
  };

  function add(target: WatchTarget, folder: string, depth: number, required: boolean): void {
    let entries: string[];
    try {
      entries = readdirSync(folder, { withFileTypes: true })
        .filter((e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules')
        .map((e) => e.name);
      const watcher = watch(folder, (_, name) => event(target, folder, depth, name?.toString() ?? null));
      watcher.on('error', () => {
        // The folder went away: forget it; if it comes back, its parent's event adds it again.
        watcher.close();
        watchers.delete(folder);
      });
      watchers.set(folder, watcher);
    } catch (err) {
      if (required) options.onWarning?.(`Cannot watch ${folder}: ${(err as Error).message}`);
      return;
    }
    if (depth < MAX_DEPTH) for (const name of entries) add(target, join(folder, name), depth + 1, false);
  }

  for (const target of targets) add(target, target.folder, 0, true);

  return {
    close() {
      closed = true;
      clearTimeout(quiet);
      clearTimeout(deadline);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
