// The issue file itself: that it exists and is text, its name (005.md), its publication, and its
// front matter (YAML between --- lines, checked against the schema). What remains is the Markdown
// body, handed to markdown/ with the number of lines before it.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { z } from 'zod';
import { type Location, type Problem, problem } from '../problems.ts';
import { parseRange } from './dates.ts';
import type { Publication } from './model.ts';
import { loadPublication } from './publication.ts';
import { type LocatedYaml, parseLocatedYaml, schemaProblems, unknownKeyWarnings } from './yaml.ts';

const frontMatterSchema = z.object({
  // Required for numbered publications; an unnumbered one's items take the number of their file name.
  number: z.number({ error: 'must be a number: the issue number, e.g. 5' }).int().positive().optional(),
  title: z
    .string({ error: "is required: the issue's theme" })
    .trim()
    .min(1, "is required: the issue's theme"),
  date: z
    .string({ error: 'is required: YYYY-MM-DD or YYYY-MM' })
    // A range ("2026-03-10 to 2026-03-11") is for programmes and reports: see docs/authoring.md.
    .refine((s) => parseRange(s) !== undefined, 'must be a date written YYYY-MM-DD or YYYY-MM'),
  author: z.string().trim().min(1).optional(),
  season: z.string().optional(),
  preheader: z.string().max(200, 'should be at most 200 characters: inboxes show about 100').optional(),
  next_issue: z.string().optional(),
  /** A translation's language (005.fr.md: fr); the file name says it too, and both must agree. */
  language: z.string().trim().min(1).optional(),
});

const numberedFrontMatterSchema = frontMatterSchema.extend({
  number: z.number({ error: 'is required: the issue number, e.g. 5' }).int().positive(),
});

export type FrontMatter = z.infer<typeof frontMatterSchema>;

/** The Markdown body of an issue file: its lines, and how many lines of front matter precede it. */
export interface Body {
  file: string;
  lines: readonly string[];
  lineOffset: number;
}

export interface IssueSource {
  /** Absolute. */
  file: string;
  problems: Problem[];
  /** The number in the file's name, as written ("005"), when the name is right. */
  code?: string;
  /** The language the file name gives a translation: fr for 005.fr.md; undefined for 005.md. */
  nameLanguage?: string;
  /** The edition's language, once file name, front matter and publication agree on it. */
  language?: string;
  publication?: Publication;
  /** When the front matter is valid. */
  front?: FrontMatter;
  /** Where a front-matter key is, for problems about its value. */
  locate: (path: readonly PropertyKey[]) => Location;
  /** When the front matter is closed: the rest of the file. */
  body?: Body;
}

export function readIssueSource(path: string): IssueSource {
  const file = resolve(path);
  const source: IssueSource = { file, problems: [], locate: () => ({ file, line: 1, column: 1 }) };
  const { problems } = source;
  if (!existsSync(file) || !statSync(file).isFile()) {
    problems.push(problem('issue-not-found', { path }));
    return source;
  }
  const name = ISSUE_FILE_NAME.exec(basename(file));
  if (name) {
    source.code = name[1] as string;
    if (name[2]) source.nameLanguage = name[2];
  } else problems.push(problem('file-name', { name: basename(file) }, { file }));
  const publication = loadPublication(dirname(file));
  problems.push(...publication.problems);
  if (publication.publication) source.publication = publication.publication;

  const raw = readFileSync(file, 'utf8').replace(/\r\n?/g, '\n');
  // U+FFFD is what Node's decoder leaves where the bytes were not UTF-8.
  const badAt = raw.search(/[\0\uFFFD]/);
  if (badAt >= 0) {
    problems.push(problem('not-text', undefined, { file, line: countLines(raw.slice(0, badAt)) + 1 }));
    return source;
  }
  if (!/^---\n/.test(raw)) {
    problems.push(problem('missing-front-matter', undefined, { file, line: 1 }));
    return source;
  }
  const rawLines = raw.split('\n');
  const end = frontMatterEnd(rawLines);
  if (end === undefined) {
    const firstHeading = rawLines.findIndex((line) => /^#{1,6}\s+\S/.test(line));
    problems.push(unclosedFrontMatter(file, firstHeading < 0 ? undefined : firstHeading + 1));
    return source;
  }
  const matterLines = rawLines.slice(1, end);
  const yaml = parseLocatedYaml(matterLines.join('\n'), file, 2);
  // A section heading inside the front matter means its closing --- is missing and a later ---
  // (a rule in the body) closed it: one problem says so, rather than one for every line of text.
  const headingInside = matterLines.findIndex(
    (line) =>
      isSectionHeading(line, source.publication) || (yaml.problems.length > 0 && /^##+\s+\S/.test(line)),
  );
  if (headingInside >= 0) {
    problems.push(unclosedFrontMatter(file, headingInside + 2));
    return source;
  }
  problems.push(...yaml.problems);
  source.locate = (path) => ({ file, ...yaml.locate(path) });
  if (!yaml.problems.length) readFrontMatter(source, yaml);
  source.body = { file, lines: rawLines.slice(end + 1), lineOffset: end + 1 };
  return source;
}

function readFrontMatter(source: IssueSource, yaml: LocatedYaml): void {
  const { file, problems } = source;
  const schema = source.publication?.numbered === false ? frontMatterSchema : numberedFrontMatterSchema;
  const parsed = schema.safeParse(normaliseYamlDates(yaml.value ?? {}));
  if (parsed.success) source.front = parsed.data;
  else problems.push(...schemaProblems(parsed, yaml, file));
  problems.push(...unknownKeyWarnings(yaml.value, Object.keys(frontMatterSchema.shape), yaml, file));
  readLanguage(source, yaml);
  const number = source.front?.number;
  if (number !== undefined && source.code && Number(source.code) !== number) {
    problems.push(
      problem('number-mismatch', { number, name: basename(file) }, { file, ...yaml.locate(['number']) }),
    );
  }
}

/** 005.md, or a translation: 005.fr.md. */
export const ISSUE_FILE_NAME = /^(\d{3,})(?:\.([a-z]{2,3}))?\.md$/;

/** The edition's language: the file name's and the front matter's agree and the publication declares it. */
function readLanguage(source: IssueSource, yaml: LocatedYaml): void {
  const { file, problems, publication, nameLanguage } = source;
  if (!publication) return;
  const named = nameLanguage ?? (publication.languages[0] as string);
  const written = source.front?.language;
  const at = { file, ...yaml.locate(written === undefined ? [] : ['language']) };
  if (written !== undefined && written !== named) {
    problems.push(problem('language-mismatch', { written, named, name: basename(file) }, at));
    return;
  }
  const language = written ?? named;
  if (!publication.languages.includes(language)) {
    problems.push(problem('undeclared-language', { language, declared: publication.languages }, at));
    return;
  }
  source.language = language;
}

/** Index of the line that closes the front matter opened on line 1, if there is one. */
function frontMatterEnd(lines: readonly string[]): number | undefined {
  const index = lines.findIndex((line, i) => i > 0 && /^---[ \t]*$/.test(line));
  return index > 0 ? index : undefined;
}

function unclosedFrontMatter(file: string, firstHeading: number | undefined): Problem {
  return problem('front-matter-not-closed', firstHeading === undefined ? {} : { firstHeading }, {
    file,
    line: 1,
    column: 1,
  });
}

function isSectionHeading(line: string, publication: Publication | undefined): boolean {
  const name = /^#\s+(.+?)\s*$/.exec(line)?.[1]?.toLowerCase();
  return name !== undefined && !!publication?.sections.some((s) => s.name.toLowerCase() === name);
}

function countLines(text: string): number {
  return (text.match(/\n/g) ?? []).length;
}

/** YAML may hand back a Date for an unquoted 2009-04-01; editors should not have to quote it. */
function normaliseYamlDates(value: unknown): unknown {
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [key, v] of Object.entries(out)) if (v instanceof Date) out[key] = v.toISOString().slice(0, 10);
  if (typeof out.date === 'number') out.date = String(out.date);
  return out;
}
