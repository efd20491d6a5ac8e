// Mistakes in the structure that every edition would show: an article with no text, and a
// section whose only article repeats its name. Found on the sections the loader built.

import { type Problem, problem } from '../problems.ts';
import { plainText, type Section } from './model.ts';
import type { Body } from './source.ts';

/** Articles with no text, and a section whose only article repeats its name (printed twice). */
export function structureWarnings(sections: readonly Section[], body: Body): Problem[] {
  const { file } = body;
  const problems: Problem[] = [];
  const starts = sections.flatMap((s) => [s.line, ...s.articles.map((a) => a.line)]).sort((a, b) => a - b);
  for (const section of sections) {
    const [only] = section.articles;
    if (section.articles.length === 1 && only && sameName(plainText(only.title), section.name)) {
      problems.push(
        problem('article-repeats-section', { section: section.name }, { file, line: only.line, column: 1 }),
      );
    }
    for (const article of section.articles) {
      const listing = article.entry && (article.entry.date || article.entry.place || article.entry.link);
      if (article.blocks.length || listing || !sourceIsEmpty(article.line, starts, body)) continue;
      const title = plainText(article.title);
      problems.push(problem('empty-article', { title }, { file, line: article.line, column: 1 }));
    }
  }
  return problems;
}

/**
 * Whether nothing but the title and its field lines stands between an article's title (file line
 * `line`) and the next heading: an article whose content was refused for an error is not "empty".
 */
function sourceIsEmpty(line: number, starts: readonly number[], body: Body): boolean {
  const next = starts.find((start) => start > line) ?? body.lines.length + body.lineOffset + 1;
  const region = body.lines.slice(line - body.lineOffset, next - 1 - body.lineOffset);
  const afterFields = region.findIndex((text) => !text.trim());
  return afterFields < 0 || region.slice(afterFields).every((text) => !text.trim());
}

const sameName = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
