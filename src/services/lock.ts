// A lock shared by the processes of one machine, for "only one of us starts the private server".
// On Linux it is a listening socket in the abstract namespace: the kernel frees it the moment its
// holder exits, even by kill -9, so there is never a stale lock to clear. Elsewhere it is a file
// created with O_EXCL naming its holder's pid, cleared when that process is gone.

import { createHash } from 'node:crypto';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fail } from '../problems.ts';

interface Held {
  release(): void;
}

function tryAbstract(name: string): Promise<Held | undefined> {
  return new Promise((resolve, reject) => {
    const server: Server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) =>
      err.code === 'EADDRINUSE' ? resolve(undefined) : reject(err),
    );
    server.listen(`\0bulletin-lock-${name}`, () => {
      server.unref();
      resolve({ release: () => server.close() });
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryFile(name: string): Held | undefined {
  const file = join(tmpdir(), `bulletin-lock-${name}`);
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' });
    return { release: () => unlinkSync(file) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const holder = Number(readFileSync(file, 'utf8'));
    if (holder && alive(holder)) return undefined;
    unlinkSync(file);
    return tryFile(name);
  }
}

/** Runs `work` while holding the machine-wide lock `key`; waits up to `timeoutMs` for it. */
export async function withMachineLock<T>(
  key: string,
  work: () => Promise<T>,
  timeoutMs = 60_000,
): Promise<T> {
  const name = createHash('sha256').update(key).digest('hex').slice(0, 24);
  // Elapsed real time while other processes hold the lock: a monotonic timer, not the Clock.
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const held = process.platform === 'linux' ? await tryAbstract(name) : tryFile(name);
    if (held) {
      try {
        return await work();
      } finally {
        held.release();
      }
    }
    if (performance.now() > deadline)
      fail('lock-timeout', `Another process held the lock on ${key} for ${timeoutMs / 1000} s.`);
    await sleep(100);
  }
}
