// src/cli: the `bulletin` command, the top floor. Each command is a module that parses its
// options, calls the floors below and prints for people (tables, progress, one-line errors).
//
// Command modules define their commands with what is light (commander, problems, settings) and
// import what their actions need when they run (`await import()`), so a command loads only its own
// code: `--help` loads no renderer, `check` no PDF, email, queue or database code
// (test/cli/modules.test.ts).

import { isAbsolute, relative, resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { systemClock } from '../clock.ts';
import type { Config } from '../config.ts';
import { dataDirProblem } from '../data-dir.ts';
import { BulletinError, formatProblem, InternalError, problem } from '../problems.ts';
import { registerAdmin } from './admin.ts';
import { registerBuild } from './build.ts';
import { registerCampaignControl } from './campaign.ts';
import { registerCheck } from './check.ts';
import type { CliContext } from './context.ts';
import { registerContributions } from './contributions.ts';
import { registerPreview } from './preview.ts';
import { registerProof } from './proof.ts';
import { registerPublish } from './publish.ts';
import { registerSchedule } from './schedule.ts';
import { registerServe } from './serve.ts';
import { registerSite } from './site.ts';
import { registerStart } from './start.ts';
import { registerStatus } from './status.ts';
import { registerSubscribers } from './subscribers.ts';
import { registerWorker } from './worker.ts';

// Publishing and delivery (issue #5).
const deliveryCommands = [
  registerPublish,
  registerSchedule,
  registerWorker,
  registerStatus,
  registerCampaignControl,
  registerProof,
];

export async function main(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  let config: Config | undefined;
  // The configuration's schema (zod) loads before an action runs, not for `--help`.
  let configModule: typeof import('../config.ts') | undefined;
  const program = new Command('bulletin')
    .description('Publish a quarterly bulletin: email, PDF and web editions, a list address, delivery.')
    .option('--data-dir <dir>', 'where state is kept (default .data, or BULLETIN_DATA_DIR)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .hook('preAction', async () => {
      configModule ??= await import('../config.ts');
    });
  const context: CliContext = {
    config: () => {
      if (!configModule) throw new InternalError('the configuration is read only once a command runs');
      config ??= configModule.loadConfig(env, { dataDir: program.opts<{ dataDir?: string }>().dataDir });
      return config;
    },
    stdout: process.stdout,
    stderr: process.stderr,
    clock: systemClock,
    exitCode: 0,
  };
  for (const register of [
    registerCheck,
    registerBuild,
    registerStart,
    registerSubscribers,
    registerServe,
    registerSite,
    registerContributions,
    registerPreview,
    registerAdmin,
    ...deliveryCommands,
  ])
    register(program, context);
  try {
    await program.parseAsync(argv);
    return context.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof BulletinError) {
      for (const problem of err.problems) context.stderr.write(`${formatProblem(problem)}\n`);
      return 1;
    }
    const e = err as NodeJS.ErrnoException;
    const dataDir = config?.dataDir;
    if (dataDir && e.path && insideOrAt(e.path, dataDir)) {
      const unwritable = dataDirProblem(dataDir, e);
      if (unwritable) {
        context.stderr.write(`${formatProblem(unwritable)}\n`);
        return 1;
      }
    }
    const code = e.code === undefined ? undefined : FILE_ERRORS.get(e.code);
    if (code) {
      context.stderr.write(`${formatProblem(problem(code, { reason: e.message }))}\n`);
      return 1;
    }
    throw err;
  }
}

function insideOrAt(path: string, dir: string): boolean {
  const rel = relative(dir, resolve(path));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** A file named on the command line (or one it leads to) that cannot be read, by errno. */
const FILE_ERRORS = new Map<string, 'file-not-found' | 'file-not-permitted' | 'file-is-a-folder'>([
  ['ENOENT', 'file-not-found'],
  ['EACCES', 'file-not-permitted'],
  ['EISDIR', 'file-is-a-folder'],
]);
