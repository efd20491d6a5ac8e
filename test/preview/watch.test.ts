// The preview's watcher on a real folder: bursts of saves become one build, editors' atomic saves
// are seen, files that do not matter are not.
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Watcher, watchFolders } from '../../src/preview/watch.ts';

let dir: string;
let issue: string;
let watcher: Watcher | undefined;
let calls: string[][];

function start(): void {
  watcher = watchFolders(
    [{ folder: dir, relevant: (file) => file === issue || file.endsWith('.png') }],
    (files) => calls.push(files),
    { quietMs: 25, maxWaitMs: 150 },
  );
}

/** Waits until the watcher has called back `count` times, or fails after a while. */
async function calledBack(count: number): Promise<void> {
  for (let waited = 0; calls.length < count && waited < 5000; waited += 20) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(calls.length).toBeGreaterThanOrEqual(count);
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bulletin-watch-'));
  issue = join(dir, '005.md');
  writeFileSync(issue, 'first\n');
  calls = [];
});

afterEach(() => {
  watcher?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('watching an issue folder', () => {
  it('turns a burst of saves into one call', async () => {
    start();
    for (let i = 0; i < 20; i++) writeFileSync(issue, `save ${i}\n`);
    await calledBack(1);
    await settle();
    expect(calls).toEqual([[issue]]);
  });

  it('sees a save that renames a temporary file over the issue, as many editors do', async () => {
    start();
    writeFileSync(join(dir, '.005.md.tmp'), 'saved atomically\n');
    renameSync(join(dir, '.005.md.tmp'), issue);
    await calledBack(1);
    expect(calls[0]).toContain(issue);
    // And keeps watching the new file.
    writeFileSync(issue, 'and again\n');
    await calledBack(2);
  });

  it('ignores files that do not matter to the issue', async () => {
    start();
    writeFileSync(join(dir, '.005.md.swp'), 'editor state');
    writeFileSync(join(dir, '006.md'), 'another issue');
    await settle();
    expect(calls).toEqual([]);
  });

  it('sees images in subfolders, including folders made after it started', async () => {
    mkdirSync(join(dir, 'images'));
    start();
    writeFileSync(join(dir, 'images', 'a.png'), 'png');
    await calledBack(1);
    mkdirSync(join(dir, 'photos'));
    await settle();
    writeFileSync(join(dir, 'photos', 'b.png'), 'png');
    await calledBack(2);
    expect(calls.at(-1)).toEqual([join(dir, 'photos', 'b.png')]);
  });

  it('calls back while saves keep coming, at most maxWaitMs after the first', async () => {
    start();
    const started = performance.now();
    // Saves every 10 ms for 600 ms: the quiet time never passes, the deadline does.
    while (performance.now() - started < 600) {
      writeFileSync(issue, `${performance.now()}\n`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(calls.length).toBeGreaterThanOrEqual(2);
  });
});
