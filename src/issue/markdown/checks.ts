// Mistakes that Markdown forgives silently but that would lose or move content in every edition,
// found in markdown-it's tokens and the body's lines: each is reported with its line, so that
// `check` never says ok to a file that publishes broken.

import type { Token } from 'markdown-it';
import { type Location, type Problem, problem } from '../../problems.ts';
import type { Body } from '../source.ts';

const at = (body: Body, index: number, column = 1): Location => ({
  file: body.file,
  line: index + 1 + body.lineOffset,
  column,
});

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
      problems.push(problem('unclosed-box', { box, swallowed }, at(body, start)));
    } else if (swallowed) {
      // Closed, but too late: the headings inside start no section or article.
      const closedAt = end + 1 + body.lineOffset;
      problems.push(problem('heading-in-box', { box, swallowed, closedAt }, at(body, start)));
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
      problems.push(problem('footnote-not-cited', { label }, at(body, index)));
    }
    const text = line.replace(/`[^`]*`/g, (code) => ' '.repeat(code.length));
    for (const match of text.matchAll(/(?<!\\)\[\^([^\]\s]+)\](?!:)/g)) {
      const label = match[1] as string;
      if (defined(label) || reported.has(label)) continue;
      reported.add(label);
      problems.push(problem('footnote-not-defined', { label }, at(body, index, (match.index ?? 0) + 1)));
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
      problem(
        'heading-too-deep',
        { level: Number(t.tag.slice(1)), markup: t.markup },
        at(body, t.map?.[0] ?? 0),
      ),
    );
}
