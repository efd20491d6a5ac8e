// Mistakes that Markdown forgives silently but that would lose or move content in every edition:
// each found here is reported with its line, so that `check` never says ok to a file that
// publishes broken. The loader runs them on the parsed body and on the sections it built.

import type { Token } from 'markdown-it';
import { error, type Location, type Problem, warning } from '../problems.ts';
import { plainText, type Section } from './model.ts';

/** The Markdown body of an issue file: its lines, and how many lines of front matter precede it. */
export interface Body {
  file: string;
  lines: readonly string[];
  lineOffset: number;
}

const at = (body: Body, index: number, column = 1): Location => ({
  file: body.file,
  line: index + 1 + body.lineOffset,
  column,
});

/** Index of the line that closes the front matter opened on line 1, if there is one. */
export function frontMatterEnd(lines: readonly string[]): number | undefined {
  const index = lines.findIndex((line, i) => i > 0 && /^---[ \t]*$/.test(line));
  return index > 0 ? index : undefined;
}

export function unclosedFrontMatter(file: string, firstHeading: number | undefined): Problem {
  return error(
    'front-matter-not-closed',
    'The front matter is not closed: there is no --- line after its fields.',
    firstHeading === undefined
      ? 'Add a line holding only --- after the last field (number, title, date …).'
      : `Add a line holding only --- after the last field, before line ${firstHeading} (the first heading).`,
    { file, line: 1, column: 1 },
  );
}

/**
 * A `::: box` without its closing `:::` silently takes in everything after it: the following
 * articles and sections vanish from the contents. markdown-it ends such a box at the end of the
 * file (or of the box around it), so a box is closed only when the line it ends on is `:::`.
 */
export function unclosedBoxes(tokens: readonly Token[], body: Body): Problem[] {
  const problems: Problem[] = [];
  tokens.forEach((token, index) => {
    if (!/^container_.+_open$/.test(token.type) || !token.map) return;
    const [start, end] = token.map;
    const box = (body.lines[start] ?? ':::').trim();
    const swallowed = swallowedHeadings(tokens, index);
    if (!/^\s*:{3,}\s*$/.test(body.lines[end] ?? '')) {
      problems.push(
        error(
          'unclosed-box',
          `The box "${box}" is never closed, so everything after it is inside the box${swallowed ? ` (${swallowed})` : ''}.`,
          'Close it with ::: on a line of its own where the box ends.',
          at(body, start),
        ),
      );
    } else if (swallowed) {
      // Closed, but too late: the headings inside start no section or article.
      problems.push(
        error(
          'heading-in-box',
          `The box "${box}" holds ${swallowed}, which would vanish from the contents; its ::: is on line ${end + 1 + body.lineOffset}.`,
          'Close the box with ::: before the next # or ## heading.',
          at(body, start),
        ),
      );
    }
  });
  return problems;
}

function swallowedHeadings(tokens: readonly Token[], openIndex: number): string {
  let depth = 0;
  let sections = 0;
  let articles = 0;
  for (let i = openIndex; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    depth += token.nesting;
    if (token.type === 'heading_open' && token.tag === 'h1') sections++;
    if (token.type === 'heading_open' && token.tag === 'h2') articles++;
    if (depth === 0) break;
  }
  const parts = [];
  if (sections) parts.push(`${sections} section${sections === 1 ? '' : 's'}`);
  if (articles) parts.push(`${articles} article${articles === 1 ? '' : 's'}`);
  return parts.join(' and ');
}

/** What markdown-it-footnote leaves in the parser's env: each defined label, -1 while never cited. */
export interface FootnoteEnv {
  footnotes?: { refs?: Record<string, number> };
  [key: string | symbol]: unknown;
}

/**
 * A citation without a definition prints literally as `[^5]`; a definition without a citation
 * disappears from every edition. Citations are found in the source, outside inline code and
 * escapes, because markdown-it leaves an undefined one as plain text.
 */
export function footnoteProblems(env: FootnoteEnv, body: Body): Problem[] {
  const refs = env.footnotes?.refs ?? {};
  const defined = (label: string) => Object.hasOwn(refs, `:${label}`);
  const problems: Problem[] = [];
  const reported = new Set<string>();
  body.lines.forEach((line, index) => {
    const definition = /^ {0,3}\[\^([^\]\s]+)\]:/.exec(line);
    if (definition && refs[`:${definition[1]}`] === -1) {
      const label = definition[1] as string;
      problems.push(
        error(
          'footnote-not-cited',
          `Footnote [^${label}] is never cited, so its text appears in no edition.`,
          `Cite it with [^${label}] where it belongs, or delete the note.`,
          at(body, index),
        ),
      );
    }
    const text = line.replace(/`[^`]*`/g, (code) => ' '.repeat(code.length));
    for (const match of text.matchAll(/(?<!\\)\[\^([^\]\s]+)\](?!:)/g)) {
      const label = match[1] as string;
      if (defined(label) || reported.has(label)) continue;
      reported.add(label);
      problems.push(
        error(
          'footnote-not-defined',
          `Footnote [^${label}] is cited but never defined, so it would print as "[^${label}]".`,
          `Add the note on a line of its own: "[^${label}]: The note's text.", or remove the citation.`,
          at(body, index, (match.index ?? 0) + 1),
        ),
      );
    }
  });
  return problems;
}

/** Levels 3 and 4 are headings inside an article; 1 and 2 are sections and articles. */
const DEEPEST_HEADING = 4;

export function deepHeadings(tokens: readonly Token[], body: Body): Problem[] {
  return tokens
    .filter((t) => t.type === 'heading_open' && Number(t.tag.slice(1)) > DEEPEST_HEADING)
    .map((t) =>
      warning(
        'heading-too-deep',
        `A level-${t.tag.slice(1)} heading (${t.markup}) is deeper than bulletin's headings go (#### at most).`,
        'Use ### for a part of an article and #### for a part of that part.',
        at(body, t.map?.[0] ?? 0),
      ),
    );
}

/** Articles with no text, and a section whose only article repeats its name (printed twice). */
export function structureWarnings(sections: readonly Section[], body: Body): Problem[] {
  const { file } = body;
  const problems: Problem[] = [];
  const starts = sections.flatMap((s) => [s.line, ...s.articles.map((a) => a.line)]).sort((a, b) => a - b);
  for (const section of sections) {
    const [only] = section.articles;
    if (section.articles.length === 1 && only && sameName(plainText(only.title), section.name)) {
      problems.push(
        warning(
          'article-repeats-section',
          `The only article of section "${section.name}" has the section's name, which every edition prints twice.`,
          `Give the article a title of its own, saying what it is about.`,
          { file, line: only.line, column: 1 },
        ),
      );
    }
    for (const article of section.articles) {
      const listing = article.entry && (article.entry.date || article.entry.place || article.entry.link);
      if (article.blocks.length || listing || !sourceIsEmpty(article.line, starts, body)) continue;
      problems.push(
        warning(
          'empty-article',
          `Article "${plainText(article.title)}" has no text.`,
          'Write its text under the title and fields, after a blank line; or remove the article.',
          { file, line: article.line, column: 1 },
        ),
      );
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
