// The Markdown body of an issue → the model's sections, articles and blocks. This folder is the
// only place that knows markdown-it: parser.ts sets up the dialect (notes, ::: boxes), walk.ts
// reads sections and articles, blocks.ts converts blocks and inlines (with programme.ts and
// references.ts for the ::: boxes, notes.ts for notes), checks.ts finds what Markdown forgives
// silently but would lose content.

import { type Location, type Problem, problem } from '../../problems.ts';
import type { Block, Inline, Publication, Section } from '../model.ts';
import type { Body } from '../source.ts';
import { BlockConverter } from './blocks.ts';
import { deepHeadings, type FootnoteEnv, footnoteProblems, unclosedBoxes } from './checks.ts';
import { citeTitleNotes } from './notes.ts';
import { createMarkdown, type FrontMatterInline, toTree } from './parser.ts';
import { readSections } from './walk.ts';

export interface BodyInput {
  body: Body;
  publication: Publication;
  /** The front matter's title and next_issue, which may hold Markdown (and cite notes). */
  title?: { text: string; at: Location };
  nextIssue?: { text: string; at: Location };
}

export interface ReadBody {
  sections: Section[];
  /** The title without the notes it cites, and those notes' blocks. */
  title?: string;
  titleNote?: Block[];
  nextIssue?: Inline[];
  problems: Problem[];
}

export function readBody({ body, publication, title, nextIssue }: BodyInput): ReadBody {
  const md = createMarkdown();
  const converter = new BlockConverter(md, body.file, body.lines, body.lineOffset);
  const problems: Problem[] = [];
  const frontMatter: FrontMatterInline | undefined = title?.text.includes('[^')
    ? { text: title.text }
    : undefined;
  const env: FootnoteEnv = frontMatter ? { frontMatter } : {};
  const tokens = md.parse(body.lines.join('\n'), env);
  const cited = frontMatter && citeTitleNotes(frontMatter.text, frontMatter.tokens ?? []);
  for (const label of cited?.undefinedLabels ?? []) {
    problems.push(problem('title-note-not-defined', { label }, title?.at));
  }
  const noteBodies = new Map<number, Block[]>();
  const sections = readSections(toTree(tokens), converter, publication, noteBodies);
  const titleNote = cited?.numbers.flatMap((number) => noteBodies.get(number) ?? []);
  const next = nextIssue ? converter.inlineString(nextIssue.text, nextIssue.at) : undefined;
  problems.push(
    ...converter.problems,
    ...unclosedBoxes(tokens, body),
    ...footnoteProblems(env, body),
    ...deepHeadings(tokens, body),
  );
  return {
    sections,
    ...(cited ? { title: cited.title } : {}),
    ...(titleNote?.length ? { titleNote } : {}),
    ...(next ? { nextIssue: next } : {}),
    problems,
  };
}
