import type { Command } from 'commander';
import { loadIssue } from '../issue/load.ts';
import { formatProblem, hasErrors } from '../problems.ts';
import type { CliContext } from './context.ts';

export function registerCheck(program: Command, context: CliContext): void {
  program
    .command('check')
    .description('validate issue files and print every problem (exit 1 on errors)')
    .argument('<issue...>', 'issue files, e.g. issues/global-eye/005.md')
    .action((files: string[]) => {
      let errors = 0;
      let warnings = 0;
      for (const file of files) {
        const { problems } = loadIssue(file);
        for (const problem of problems) context.stdout.write(`${formatProblem(problem)}\n`);
        errors += problems.filter((p) => p.severity === 'error').length;
        warnings += problems.filter((p) => p.severity === 'warning').length;
        if (!hasErrors(problems)) context.stdout.write(`${file}: ok\n`);
      }
      context.stdout.write(
        `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`,
      );
      if (errors) context.exitCode = 1;
    });
}
