// `bulletin check`: every problem that `build` and `publish` would meet with an issue file, at once,
// without rendering the editions. It runs in the editor's write-check-fix loop, so it stays light:
// MJML, pdfkit and fontkit are not loaded unless the email is near Gmail's clipping size.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Issue } from '../issue/model.ts';
import { formatProblem, hasErrors, type Problem, problem } from '../problems.ts';
import type { CliContext } from './context.ts';

export interface CheckedFile {
  problems: Problem[];
  /** The loaded issue, when it has no errors. */
  issue?: Issue;
}

/** The loader's problems, then what the editions would reveal: missing glyphs, the email's size. */
export async function checkIssueFile(file: string): Promise<CheckedFile> {
  const [{ loadIssue }, { missingGlyphs }, { emailSize, GMAIL_CLIP_BYTES }] = await Promise.all([
    import('../issue/load.ts'),
    import('../render/pdf/glyphs.ts'),
    import('../render/email/size.ts'),
  ]);
  const { issue, problems } = loadIssue(file);
  if (!issue) return { problems };
  const lines = readFileSync(issue.file, 'utf8').split('\n');
  for (const char of missingGlyphs(lines.join('\n'))) {
    const line = lines.findIndex((l) => l.includes(char));
    problems.push(
      problem(
        'missing-glyph',
        { char },
        { file: issue.file, line: line + 1, column: (lines[line]?.indexOf(char) ?? 0) + 1 },
      ),
    );
  }
  const email = await emailSize(issue);
  if (email.bytes > GMAIL_CLIP_BYTES) {
    problems.push(
      problem(
        'email-size',
        { bytes: email.bytes, limit: GMAIL_CLIP_BYTES, estimated: !email.exact },
        { file: issue.file },
      ),
    );
  }
  return { problems, issue };
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\]|0\.0\.0\.0)$/i;

/** Links to a loopback address reach nobody: the PDF and the emails would print them. */
export function publicUrlWarning(publicUrl: string, issue: Issue): Problem | undefined {
  if (!LOOPBACK.test(new URL(publicUrl).hostname)) return undefined;
  const web = `${publicUrl.replace(/\/+$/, '')}/${issue.publication.slug}/${issue.code}/`;
  return problem('public-url', { publicUrl, web });
}

export function registerCheck(program: Command, context: CliContext): void {
  program
    .command('check')
    .description('validate issue files and print every problem (exit 1 on errors)')
    .argument('<issue...>', 'issue files, e.g. issues/global-eye/005.md')
    .action(async (files: string[]) => {
      let errors = 0;
      let warnings = 0;
      let checkedIssue: Issue | undefined;
      const report = (problems: readonly Problem[]) => {
        for (const problem of problems) context.stdout.write(`${formatProblem(problem)}\n`);
        errors += problems.filter((p) => p.severity === 'error').length;
        warnings += problems.filter((p) => p.severity === 'warning').length;
      };
      for (const file of files) {
        const { problems, issue } = await checkIssueFile(file);
        report(problems);
        checkedIssue ??= issue;
        if (!hasErrors(problems)) context.stdout.write(`${file}: ok\n`);
      }
      // Said once, not per file: it is the environment, not the issue, that needs fixing.
      const publicUrl = checkedIssue && publicUrlWarning(context.config().publicUrl, checkedIssue);
      if (publicUrl) report([publicUrl]);
      context.stdout.write(
        `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`,
      );
      if (errors) context.exitCode = 1;
    });
}
