import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh data directory under /tmp (short, so Unix socket paths in it fit), and its removal. */
export function tempDataDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'bulletin-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
