// `bulletin check`: every problem that `build` and `publish` would meet with an issue file, at once,
// without rendering the editions. It runs in the editor's write-check-fix loop, so it stays light:
// MJML, pdfkit and fontkit are not loaded unless the email is near Gmail's clipping size.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
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
  for (const char of missingGlyphs(lines.join('\n'), issue.language)) {
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

/**
 * The files `check <path>` covers: an original with its translations (005.md, 005.es.md,
 * 005.fr.md), a translation alone, or every issue of a folder.
 */
async function filesToCheck(path: string): Promise<string[]> {
  const { originalOf, translationFiles } = await import('../issue/translations.ts');
  if (existsSync(path) && statSync(path).isDirectory()) {
    const originals = readdirSync(path)
      .filter((name) => /^\d{3,}\.md$/.test(name))
      .sort();
    return originals.flatMap((name) => [
      join(path, name),
      ...translationFiles(join(path, name)).map((t) => t.file),
    ]);
  }
  if (originalOf(path)) return [path];
  return [path, ...translationFiles(path).map((t) => t.file)];
}

/** A translation's file checked as any issue, then against its original: the same sections and articles. */
export async function checkTranslationFile(file: string): Promise<CheckedFile> {
  const [{ loadIssue }, { correspondence, originalOf }] = await Promise.all([
    import('../issue/load.ts'),
    import('../issue/translations.ts'),
  ]);
  const checked = await checkIssueFile(file);
  const originalFile = originalOf(file);
  if (!originalFile || !checked.issue) return checked;
  if (!existsSync(originalFile)) {
    const { basename } = await import('node:path');
    const missing = problem(
      'translation-without-original',
      { original: basename(originalFile) },
      { file: checked.issue.file },
    );
    return { problems: [missing, ...checked.problems] };
  }
  // The original's own problems are reported when it is checked; here only the correspondence.
  const original = loadIssue(originalFile).issue;
  if (!original) return checked;
  const problems = [...checked.problems, ...correspondence(original, checked.issue)];
  return hasErrors(problems) ? { problems } : { problems, issue: checked.issue };
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
    .argument(
      '<issue...>',
      'issue files (with their translations: 005.fr.md …) or folders, e.g. issues/global-eye/005.md',
    )
    .action(async (files: string[]) => {
      let errors = 0;
      let warnings = 0;
      let checkedIssue: Issue | undefined;
      const report = (problems: readonly Problem[]) => {
        for (const problem of problems) context.stdout.write(`${formatProblem(problem)}\n`);
        errors += problems.filter((p) => p.severity === 'error').length;
        warnings += problems.filter((p) => p.severity === 'warning').length;
      };
      const seen = new Set<string>();
      const { relative, resolve } = await import('node:path');
      for (const named of files) {
        for (const path of await filesToCheck(named)) {
          const absolute = resolve(path);
          if (seen.has(absolute)) continue;
          seen.add(absolute);
          // A translation found beside the file named is shown as the user would type it.
          const file = path === named ? named : relative(process.cwd(), absolute);
          const { problems, issue } = await checkTranslationFile(path);
          report(problems);
          checkedIssue ??= issue;
          if (!hasErrors(problems)) context.stdout.write(`${file}: ok\n`);
        }
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
