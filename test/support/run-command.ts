// Runs one command module in-process, as main.ts would, capturing its output: much faster than
// spawning `bulletin` (no process start, no loading of every other command). Keep one spawned
// `bulletin` test per command to cover its registration in main.ts.

import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import type { CliContext } from '../../src/cli/context.ts';
import { systemClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { BulletinError, formatProblem } from '../../src/problems.ts';

export async function runCommand(
  register: (program: Command, context: CliContext) => void,
  args: string[],
  env: Record<string, string>,
): Promise<{ status: number; stdout: string; stderr: string }> {
  const capture = () => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    return { stream, text: () => Buffer.concat(chunks).toString() };
  };
  const stdout = capture();
  const stderr = capture();
  const context: CliContext = {
    config: () => loadConfig(env),
    stdout: stdout.stream,
    stderr: stderr.stream,
    clock: systemClock,
    exitCode: 0,
  };
  const program = new Command('bulletin')
    .exitOverride()
    .configureOutput({ writeErr: (s) => stderr.stream.write(s) });
  register(program, context);
  let status = 0;
  try {
    await program.parseAsync(['node', 'bulletin', ...args]);
    status = context.exitCode;
  } catch (err) {
    if (!(err instanceof BulletinError)) throw err;
    for (const problem of err.problems) stderr.stream.write(`${formatProblem(problem)}\n`);
    status = 1;
  }
  await new Promise((resolve) => setImmediate(resolve));
  return { status, stdout: stdout.text(), stderr: stderr.text() };
}
