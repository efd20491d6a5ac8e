// src/issue: an issue file read into the typed Issue model, with every problem located.
//
// Loads and validates one issue file into the Issue model: the file and its front matter
// (source.ts), the Markdown body (markdown/), and the checks on the structure they make
// (structure.ts). Every problem is collected with its location; an issue is returned only when
// there are no errors.

import { hasErrors, type Problem } from '../problems.ts';
import { parseRange } from './dates.ts';
import { readBody } from './markdown/index.ts';
import type { DateRange, Issue } from './model.ts';
import { readIssueSource } from './source.ts';
import { structureWarnings } from './structure.ts';

export interface LoadResult {
  issue?: Issue;
  problems: Problem[];
}

export function loadIssue(path: string): LoadResult {
  const { file, problems, code, publication, front, locate, body, language } = readIssueSource(path);
  if (!publication || !body) return { problems };
  const read = readBody({
    body,
    publication,
    ...(front ? { title: { text: front.title, at: locate(['title']) } } : {}),
    ...(front?.next_issue ? { nextIssue: { text: front.next_issue, at: locate(['next_issue']) } } : {}),
  });
  problems.push(...read.problems, ...structureWarnings(read.sections, body));

  if (hasErrors(problems) || !front || !code || !language) return { problems };
  for (const section of read.sections) {
    const declared = publication.sections.find((s) => s.name === section.name);
    section.label = declared?.labels?.get(language) ?? section.name;
  }
  const dates = parseRange(front.date) as DateRange;
  return {
    problems,
    issue: {
      publication,
      number: front.number ?? Number(code),
      code,
      language,
      title: read.title ?? front.title,
      ...(read.titleNote ? { titleNote: read.titleNote } : {}),
      date: dates.start,
      ...(dates.end ? { dates } : {}),
      ...(front.author ? { author: front.author } : {}),
      season: front.season,
      preheader: front.preheader,
      nextIssue: read.nextIssue,
      sections: read.sections,
      file,
    },
  };
}
