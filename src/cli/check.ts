import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { formatProblem, hasErrors, type Problem, warning } from '../problems.ts';
import type { CliContext } from './context.ts';

/** Characters the PDF's fonts cannot print would come out as empty boxes: say where they are. */
async function glyphWarnings(file: string): Promise<Problem[]> {
  const { unsupportedCharacters } = await import('../render/pdf/fonts.ts');
  const lines = readFileSync(file, 'utf8').split('\n');
  return unsupportedCharacters(lines.join('\n')).map((char) => {
    const line = lines.findIndex((l) => l.includes(char));
    const hex = (char.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0');
    return warning(
      'missing-glyph',
      `The PDF fonts have no glyph for "${char}" (U+${hex}); it would print as an empty box.`,
      'Spell it another way, or add a font that covers it to src/render/pdf/fonts.ts.',
      { file, line: line + 1, column: (lines[line]?.indexOf(char) ?? 0) + 1 },
    );
  });
}

export function registerCheck(program: Command, context: CliContext): void {
  program
    .command('check')
    .description('validate issue files and print every problem (exit 1 on errors)')
    .argument('<issue...>', 'issue files, e.g. issues/global-eye/005.md')
    .action(async (files: string[]) => {
      const { loadIssue } = await import('../issue/load.ts');
      let errors = 0;
      let warnings = 0;
      for (const file of files) {
        const loaded = loadIssue(file);
        const problems = loaded.issue
          ? [...loaded.problems, ...(await glyphWarnings(loaded.issue.file))]
          : loaded.problems;
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
