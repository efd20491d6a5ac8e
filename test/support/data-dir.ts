import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** A fresh data directory under /tmp (short, so Unix socket paths in it fit), and its removal. */
export function tempDataDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'bulletin-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Makes fresh data dirs on demand (one per "machine", per case…), all removed after the file's tests. */
export function freshDataDirs(): () => string {
  const made: { remove(): void }[] = [];
  afterAll(() => {
    for (const data of made) data.remove();
  });
  return () => {
    const data = tempDataDir();
    made.push(data);
    return data.dir;
  };
}
