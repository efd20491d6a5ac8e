import type { Command } from 'commander';
import { buildIssue } from './build.ts';
import type { CliContext } from './context.ts';

export const SAMPLE_ISSUE = 'issues/global-eye/005.md';

/** `npm start`: the sample issue through the pipeline on embedded defaults. */
export function registerStart(program: Command, context: CliContext): void {
  program
    .command('start')
    .description(`run the main job on the sample issue (${SAMPLE_ISSUE})`)
    .action(async () => {
      context.stdout.write(`Building ${SAMPLE_ISSUE}\n`);
      await buildIssue(SAMPLE_ISSUE, 'dist', context);
    });
}
