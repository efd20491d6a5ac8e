import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import type { Issue } from '../issue/model.ts';
import { BulletinError, formatProblem, hasErrors } from '../problems.ts';
import type { EditionFile } from '../render/edition-files.ts';
import type { CliContext } from './context.ts';

/** Loads an issue or throws every error at once; warnings go to stderr. */
export async function loadIssueOrFail(file: string, context: CliContext): Promise<Issue> {
  const { loadIssue } = await import('../issue/load.ts');
  const { issue, problems } = loadIssue(file);
  if (hasErrors(problems) || !issue) throw new BulletinError(problems);
  for (const problem of problems) context.stderr.write(`${formatProblem(problem)}\n`);
  return issue;
}

/**
 * An original with every translation beside it (each checked against it), or a translation alone:
 * the default language's issue first. Throws every error of every file at once; warnings go to stderr.
 */
export async function loadLanguagesOrFail(file: string, context: CliContext): Promise<Issue[]> {
  const { loadTranslations, originalOf } = await import('../issue/translations.ts');
  if (originalOf(file)) {
    const set = loadTranslations(file);
    const translation = [...set.translations.values()].find((t) => t.file === resolve(file));
    const own = set.problems.filter((p) => p.location?.file === resolve(file));
    if (hasErrors(own) || !translation) throw new BulletinError(own.length ? own : set.problems);
    for (const problem of own) context.stderr.write(`${formatProblem(problem)}\n`);
    return [translation];
  }
  const set = loadTranslations(file);
  if (hasErrors(set.problems) || !set.original) throw new BulletinError(set.problems);
  for (const problem of set.problems) context.stderr.write(`${formatProblem(problem)}\n`);
  return [set.original, ...set.translations.values()];
}

/**
 * Writes the editions of an issue, in every language it has (005.md with 005.fr.md …), and prints
 * what was written; returns the loaded issues, the default language's first.
 */
export async function buildIssue(file: string, out: string, context: CliContext): Promise<Issue[]> {
  const issues = await loadLanguagesOrFail(file, context);
  const [{ renderEditions }, { editionFolder, writeEditionFiles }, { GMAIL_CLIP_BYTES }] = await Promise.all([
    import('../render/editions.ts'),
    import('../render/edition-files.ts'),
    import('../render/email/size.ts'),
  ]);
  const files: EditionFile[] = [];
  const names: string[] = [];
  for (const issue of issues) {
    const editions = await renderEditions(issue, { publicUrl: context.config().publicUrl });
    const paths = writeEditionFiles(editionFolder(out, issue), editions.files);
    files.push(...editions.files);
    names.push(...paths.map((path) => relative(process.cwd(), path)));
    if (editions.email.bytes > GMAIL_CLIP_BYTES)
      context.stderr.write(emailSizeWarning(editions.email.bytes, GMAIL_CLIP_BYTES));
  }
  context.stdout.write(editionsTable(files, names));
  return issues;
}

export function registerBuild(program: Command, context: CliContext): void {
  program
    .command('build')
    .description(
      'render the editions of an issue into <out>/<publication>/<NNN>/, and of each translation into <out>/<publication>/<language>/<NNN>/',
    )
    .argument(
      '<issue>',
      'issue file, e.g. issues/global-eye/005.md (with its translations), or one translation',
    )
    .option('--out <dir>', 'output folder', 'dist')
    .action(async (file: string, options: { out: string }) => {
      await buildIssue(file, options.out, context);
    });
}

/** The editions as `build` and `publish --dry-run` print them: file, size, render time. */
export function editionsTable(files: readonly EditionFile[], names: readonly string[]): string {
  const rows = files.map((f, i) => [
    names[i] ?? f.name,
    formatBytes(Buffer.byteLength(f.contents)),
    `${f.ms.toFixed(0)} ms`,
  ]);
  return table([['file', 'size', 'time'], ...rows]);
}

export function emailSizeWarning(bytes: number, limit: number): string {
  return `warning email-size: email.html is ${formatBytes(bytes)}, over Gmail's ${formatBytes(limit)} clipping limit. Shorten the issue or move entries to the web edition.\n`;
}

function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** Columns padded to their widest cell: the first left-aligned, the rest right (numbers), unless `left` says. */
export function table(rows: string[][], left: (column: number) => boolean = (i) => i === 0): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return `${rows
    .map((r) =>
      r
        .map((c, i) => (left(i) ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}
