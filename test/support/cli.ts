// `bulletin …` as a user or an operator runs it, in a child process: to its end (`bulletin`,
// `runBulletin`), or running on beside the test (`bulletinProcesses`: serve, workers).

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { freePort } from './ports.ts';

export const BIN = fileURLToPath(new URL('../../bin/bulletin.js', import.meta.url));

/** Runs `bulletin …` as a user would, in a child process. */
export function bulletin(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; input?: string; timeout?: number } = {},
) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    input: options.input,
    timeout: options.timeout ?? 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export interface BulletinRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** From the start to the end of its output. */
  ms: number;
}

/**
 * `bulletin …` in a child process, to its end, without blocking this one (so servers living here,
 * like an SMTP sink, go on answering it). `env` is added to this process's environment; with
 * `killAfterMs`, a hang is killed so that it fails its case instead of the file.
 */
export function runBulletin(
  args: string[],
  env: Record<string, string>,
  options: { killAfterMs?: number } = {},
): Promise<BulletinRun> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const killer = options.killAfterMs
      ? setTimeout(() => child.kill('SIGKILL'), options.killAfterMs)
      : undefined;
    child.on('close', (status) => {
      clearTimeout(killer);
      resolve({ status, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** A `bulletin …` running beside the test. */
export interface RunningBulletin {
  child: ChildProcess;
  /** What it wrote to stderr so far. */
  stderr(): string;
  exited: Promise<number | null>;
  /** Resolves once stderr shows `line`; fails if it exits first, or after `ms`. */
  says(line: RegExp, ms?: number): Promise<void>;
  /** SIGTERM, and its exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `bulletin …` processes that run on (serve, workers), with exactly `env` as their
 * environment (give PATH); those still running when the file's tests end are killed.
 */
export function bulletinProcesses(): {
  start(args: string[], env: NodeJS.ProcessEnv): RunningBulletin;
  /** `bulletin serve` on free loopback ports, once it says it is ready (LOG_LEVEL info at least). */
  serve(env: NodeJS.ProcessEnv): Promise<{ serve: RunningBulletin; base: string }>;
} {
  const running = new Set<ChildProcess>();
  afterAll(() => {
    for (const child of running) child.kill('SIGKILL');
  });
  const start = (args: string[], env: NodeJS.ProcessEnv): RunningBulletin => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    running.add(child);
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => {
        running.delete(child);
        resolve(code);
      }),
    );
    return {
      child,
      stderr: () => stderr,
      exited,
      says: (line, ms = 60_000) =>
        Promise.race([
          until(`${line}`, () => line.test(stderr), { ms, logs: () => stderr }),
          exited.then((code) => {
            throw new Error(`exited with ${code} while starting:\n${stderr}`);
          }),
        ]),
      stop() {
        child.kill('SIGTERM');
        return exited;
      },
    };
  };
  return {
    start,
    async serve(env) {
      const [http, smtp] = await Promise.all([freePort(), freePort()]);
      const serve = start(['serve', '--http', `127.0.0.1:${http}`, '--smtp', `127.0.0.1:${smtp}`], env);
      await serve.says(/bulletin serve is ready/);
      return { serve, base: `http://127.0.0.1:${http}` };
    },
  };
}

/** Polls `check` until it holds; after `ms`, fails saying what it waited for (and the end of `logs`). */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  options: { ms?: number; every?: number; logs?: () => string } = {},
): Promise<void> {
  const deadline = Date.now() + (options.ms ?? 60_000);
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}${options.logs ? `:\n${options.logs().slice(-3000)}` : ''}`,
      );
    await new Promise((resolve) => setTimeout(resolve, options.every ?? 100));
  }
}
