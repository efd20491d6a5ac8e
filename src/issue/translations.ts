// Translations: `005.fr.md` beside `005.md` is the French edition of issue 5. A translation has the
// original's sections and articles, in the same order, with the same fields; only the words change.
// They are matched by position and structure (section keyword, article place, field set), never by
// their translated titles, and every difference is reported at its place in both files.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { type Location, type Problem, problem } from '../problems.ts';
import { loadIssue } from './load.ts';
import { type Article, type Issue, plainText, type Section } from './model.ts';
import { ISSUE_FILE_NAME } from './source.ts';

export interface TranslationSet {
  /** The original (the default language's edition), when it loads without errors. */
  original?: Issue;
  /** Each translation that loads without errors and corresponds to the original, by language. */
  translations: Map<string, Issue>;
  /** Every file's problems, and every difference between a translation and the original. */
  problems: Problem[];
}

/** The original of a translation (`005.fr.md` → `…/005.md`); undefined for a file that is no translation. */
export function originalOf(file: string): string | undefined {
  const name = ISSUE_FILE_NAME.exec(basename(file));
  return name?.[2] ? join(dirname(file), `${name[1]}.md`) : undefined;
}

/** The translations beside an original, `005.fr.md` …, in file-name order. */
export function translationFiles(original: string): Array<{ language: string; file: string }> {
  const code = ISSUE_FILE_NAME.exec(basename(original))?.[1];
  const folder = dirname(original);
  if (!code || !existsSync(folder)) return [];
  return readdirSync(folder)
    .sort()
    .flatMap((name) => {
      const m = ISSUE_FILE_NAME.exec(name);
      return m?.[1] === code && m[2] ? [{ language: m[2], file: join(folder, name) }] : [];
    });
}

/**
 * An issue with all its translations: `path` may name the original or any translation. A
 * translation that does not correspond to the original is left out of `translations`.
 */
export function loadTranslations(path: string): TranslationSet {
  const originalFile = originalOf(path) ?? path;
  if (originalFile !== path && !existsSync(originalFile)) {
    const alone = loadIssue(path);
    const missing = problem(
      'translation-without-original',
      { original: basename(originalFile) },
      { file: resolve(path) },
    );
    return { translations: new Map(), problems: [missing, ...alone.problems] };
  }
  const loaded = loadIssue(originalFile);
  const problems = [...loaded.problems];
  const translations = new Map<string, Issue>();
  for (const { file } of translationFiles(originalFile)) {
    const { issue, problems: own } = loadIssue(file);
    problems.push(...own);
    if (!issue || !loaded.issue) continue;
    const differences = correspondence(loaded.issue, issue);
    problems.push(...differences);
    if (!differences.some((p) => p.severity === 'error')) translations.set(issue.language, issue);
  }
  return { ...(loaded.issue ? { original: loaded.issue } : {}), translations, problems };
}

/** The field names an article has: By, Role … Date, Link. */
export function fieldSet(article: Article): string[] {
  const { byline, entry } = article;
  return [
    byline?.author && 'By',
    byline?.role && 'Role',
    byline?.organisation && 'Organisation',
    article.kicker && 'Kicker',
    article.standfirst && 'Standfirst',
    article.more && 'More',
    entry?.date && 'Date',
    entry?.place && 'Place',
    entry?.link && 'Link',
  ].filter((name): name is string => Boolean(name));
}

/** What an article is made of, words aside: its fields, then the kinds of its blocks and notes. */
function shape(article: Article): { fields: string; body: string } {
  const kinds = article.blocks.filter((b) => b.type !== 'paragraph' && b.type !== 'list').map((b) => b.type);
  return {
    fields: [...fieldSet(article), article.entry?.kind ?? ''].join(' '),
    body: `${kinds.join(' ')} / ${article.footnotes.length}`,
  };
}

type Step =
  | { kind: 'pair'; original: number; translation: number }
  | { kind: 'missing'; original: number }
  | { kind: 'extra'; translation: number };

/**
 * The cheapest alignment of two sections' articles: leaving one out or adding one costs 1, pairing
 * two with the same fields costs nothing (a little when their bodies differ), pairing two with
 * different fields more than leaving one out, so that a shifted article shows as missing or extra.
 */
function align(original: readonly Article[], translation: readonly Article[]): Step[] {
  const a = original.map(shape);
  const b = translation.map(shape);
  const pairCost = (i: number, j: number) => {
    const x = a[i] as { fields: string; body: string };
    const y = b[j] as { fields: string; body: string };
    return x.fields !== y.fields ? 1.5 : x.body !== y.body ? 0.25 : 0;
  };
  const cost: number[][] = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0));
  for (let i = a.length; i >= 0; i--)
    for (let j = b.length; j >= 0; j--) {
      const row = cost[i] as number[];
      if (i === a.length) row[j] = b.length - j;
      else if (j === b.length) row[j] = a.length - i;
      else
        row[j] = Math.min(
          pairCost(i, j) + ((cost[i + 1] as number[])[j + 1] as number),
          1 + ((cost[i + 1] as number[])[j] as number),
          1 + (row[j + 1] as number),
        );
    }
  const steps: Step[] = [];
  let i = 0;
  let j = 0;
  const at = (x: number, y: number) => (cost[x] as number[])[y] as number;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && at(i, j) === pairCost(i, j) + at(i + 1, j + 1)) {
      steps.push({ kind: 'pair', original: i++, translation: j++ });
    } else if (i < a.length && (j === b.length || at(i, j) === 1 + at(i + 1, j))) {
      steps.push({ kind: 'missing', original: i++ });
    } else steps.push({ kind: 'extra', translation: j++ });
  }
  return steps;
}

/**
 * Where `translation` departs from `original`'s structure: sections and articles missing, extra or
 * in another order, and articles whose fields differ. Each problem is at its place in the
 * translation and names the place in the original: `005.fr.md:120:1 … (005.md:98:1)`.
 */
export function correspondence(original: Issue, translation: Issue): Problem[] {
  const problems: Problem[] = [];
  const file = translation.file;
  const lastLine = lineCount(file);
  const there = (line: number) => `${basename(original.file)}:${line}:1`;
  const here = (line: number): Location => ({ file, line, column: 1 });
  const originalEnd = lineCount(original.file);

  const translated = new Map(translation.sections.map((s) => [s.name, s]));
  const originals = new Map(original.sections.map((s) => [s.name, s]));
  /** The first line after everything that comes before section `name` in `sections`' order. */
  const nextLine = (sections: readonly Section[], order: readonly Section[], name: string, end: number) => {
    const after = order.slice(order.findIndex((s) => s.name === name) + 1).map((s) => s.name);
    return sections.find((s) => after.includes(s.name))?.line ?? end;
  };

  for (const section of translation.sections) {
    const counterpart = originals.get(section.name);
    if (!counterpart) {
      const line = nextLine(original.sections, translation.sections, section.name, originalEnd);
      problems.push(
        problem(
          'translation-extra-section',
          { section: section.name, original: there(line) },
          here(section.line),
        ),
      );
      continue;
    }
    const ends = {
      here: nextLine(translation.sections, translation.sections, section.name, lastLine),
      there: nextLine(original.sections, original.sections, section.name, originalEnd),
    };
    problems.push(...articleDifferences(counterpart, section, { here, there, ends }));
  }
  for (const section of original.sections) {
    if (translated.has(section.name)) continue;
    const line = nextLine(translation.sections, original.sections, section.name, lastLine);
    problems.push(
      problem(
        'translation-missing-section',
        { section: section.name, original: there(section.line) },
        here(line),
      ),
    );
  }
  return problems.sort((x, y) => (x.location?.line ?? 0) - (y.location?.line ?? 0));
}

/** The file's last line (a final newline ends it, it does not start another). */
function lineCount(file: string): number {
  return readFileSync(file, 'utf8').replace(/\n$/, '').split('\n').length;
}

function articleDifferences(
  original: Section,
  translation: Section,
  at: {
    here: (line: number) => Location;
    there: (line: number) => string;
    /** Where each file's section ends: the next section's heading, or the end of the file. */
    ends: { here: number; there: number };
  },
): Problem[] {
  const problems: Problem[] = [];
  const steps = align(original.articles, translation.articles);
  const missing = steps.filter((s) => s.kind === 'missing').map((s) => s.original);
  const extra = steps.filter((s) => s.kind === 'extra').map((s) => s.translation);
  const key = (article: Article) => JSON.stringify(shape(article));
  // An article left out in one place and added in another with the same shape was moved.
  const moved = new Map<number, number>();
  for (const j of extra) {
    const shapeOf = key(translation.articles[j] as Article);
    const i = missing.find((m) => !moved.has(m) && key(original.articles[m] as Article) === shapeOf);
    if (i !== undefined) moved.set(i, j);
  }
  const movedTo = new Set(moved.values());
  const name = original.name;
  /** The translation's line where the step at `position` would go: the next article there, or the section's end. */
  const lineHere = (position: number) => {
    for (const step of steps.slice(position))
      if (step.kind !== 'missing') return (translation.articles[step.translation] as Article).line;
    return at.ends.here;
  };
  const lineThere = (position: number) => {
    for (const step of steps.slice(position))
      if (step.kind !== 'extra') return (original.articles[step.original] as Article).line;
    return at.ends.there;
  };
  steps.forEach((step, position) => {
    if (step.kind === 'pair') {
      const a = original.articles[step.original] as Article;
      const b = translation.articles[step.translation] as Article;
      const fields = fieldSet(b);
      const originalFields = fieldSet(a);
      if (fields.join() !== originalFields.join())
        problems.push(
          problem(
            'translation-fields',
            {
              section: name,
              index: step.translation + 1,
              fields,
              originalFields,
              original: at.there(a.line),
            },
            at.here(b.line),
          ),
        );
    } else if (step.kind === 'missing') {
      if (moved.has(step.original)) return;
      const a = original.articles[step.original] as Article;
      const title = plainText(a.title);
      problems.push(
        problem(
          'translation-missing-article',
          { section: name, index: step.original + 1, title, original: at.there(a.line) },
          at.here(lineHere(position)),
        ),
      );
    } else {
      const b = translation.articles[step.translation] as Article;
      const title = plainText(b.title);
      const index = step.translation + 1;
      if (movedTo.has(step.translation)) {
        const place = [...moved].find(([, j]) => j === step.translation)?.[0] as number;
        const a = original.articles[place] as Article;
        problems.push(
          problem(
            'translation-order',
            { section: name, index, title, place: place + 1, original: at.there(a.line) },
            at.here(b.line),
          ),
        );
        return;
      }
      problems.push(
        problem(
          'translation-extra-article',
          { section: name, index, title, original: at.there(lineThere(position)) },
          at.here(b.line),
        ),
      );
    }
  });
  return problems;
}
