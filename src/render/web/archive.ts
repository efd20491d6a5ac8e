// The archive of a publication: every published issue, newest first, with its web and PDF editions.
// Each issue's folder holds an edition.json summary, written with the editions, so the archive
// never needs the issue files again.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { issueDateLabel } from '../../issue/dates.ts';
import type { Issue } from '../../issue/model.ts';
import { InternalError } from '../../problems.ts';
import { pdfFileName } from '../replacements.ts';

export const SUMMARY_FILE = 'edition.json';

export interface EditionSummary {
  number: number;
  /** False (or absent in summaries written before) for items that are never called "No. 1". */
  numbered?: boolean;
  code: string;
  title: string;
  dateLabel: string;
  pdf: string;
  publication: { name: string; tagline?: string; listAddress: string; language: string; primary: string };
}

export function editionSummary(issue: Issue): EditionSummary {
  const { publication } = issue;
  return {
    number: issue.number,
    numbered: publication.numbered,
    code: issue.code,
    title: issue.title,
    dateLabel: issueDateLabel(issue),
    pdf: pdfFileName(publication.slug, issue.code),
    publication: {
      name: publication.name,
      tagline: publication.tagline,
      listAddress: publication.listAddress,
      language: publication.language,
      primary: publication.colors.primary,
    },
  };
}

const TEMPLATE = fileURLToPath(new URL('../../../templates/web/archive.hbs', import.meta.url));
let compiled: HandlebarsTemplateDelegate | undefined;

/** The archive page; `summaries` in any order, at least one (the publication's details come from the newest). */
export function renderArchive(summaries: readonly EditionSummary[]): string {
  const issues = [...summaries]
    .sort((a, b) => b.number - a.number)
    .map((summary) => ({ ...summary, numbered: summary.numbered !== false }));
  const newest = issues[0];
  if (!newest) throw new InternalError('renderArchive needs at least one edition');
  compiled ??= Handlebars.create().compile(readFileSync(TEMPLATE, 'utf8'));
  return compiled({ ...newest.publication, lang: newest.publication.language, issues });
}
