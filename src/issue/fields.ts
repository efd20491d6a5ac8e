// Article fields: the `Name: value` lines right under an article's title. FIELDS below is the one
// place a field is defined: its name and the other words editors use for it, where it may appear,
// how its value is read and checked, and how docs/authoring.md describes it (the docs' tables are
// printed from it; test/issue/fields.test.ts keeps them equal). Adding a field is adding a row here
// (and, when it carries new data, a property to the model).

import { type Location, type Problem, problem } from '../problems.ts';
import { closest } from '../suggest.ts';
import { parseRange } from './dates.ts';
import type { Article, Byline, Entry, Inline, MoreLink } from './model.ts';

/** What a field's value is read into: the article, and the byline and entry assembled for it. */
export interface FieldTarget {
  article: Article;
  byline: Partial<Byline>;
  entry: Partial<Entry>;
}

export interface FieldContext {
  /** The field's line. */
  at: Location;
  /** The value as one line of Markdown (emphasis, links), problems reported by the Markdown reader. */
  inline(text: string): Inline[];
}

export interface FieldSpec {
  /** As editors write it, and as the docs and hints name it; matched case-blind. */
  name: string;
  /** Other spellings read as this field, silently (American English). */
  spellings?: readonly string[];
  /** Words editors write meaning this field: suggested by "Did you mean …?", never accepted. */
  aliases?: readonly string[];
  /** Only in sections marked `entries: true` (events and publications). */
  entriesOnly?: boolean;
  /** For docs/authoring.md: what it is, and an example line. */
  what: string;
  example: string;
  /** Also listed among the fields of events and publications, described so. */
  inEntries?: { what: string; example: string };
  /** Reads a non-empty value into the target; returns the problem when the value is not acceptable. */
  read(value: string, into: FieldTarget, context: FieldContext): Problem | undefined;
}

export const FIELDS: readonly FieldSpec[] = [
  {
    name: 'By',
    aliases: ['author', 'authors', 'byline', 'writer'],
    what: 'author(s)',
    example: 'By: Jan Austad',
    inEntries: {
      what: 'the authors or publisher of a publication',
      example: 'By: Bridget Anderson and Rutvica Andrijasevic',
    },
    read(value, { byline }) {
      byline.author = value;
      return undefined;
    },
  },
  {
    name: 'Role',
    aliases: ['position'],
    what: "the author's role",
    example: 'Role: THB Coordinator',
    read(value, { byline }) {
      byline.role = value;
      return undefined;
    },
  },
  {
    name: 'Organisation',
    spellings: ['Organization'],
    aliases: ['affiliation', 'institution'],
    what: "the author's organisation",
    example: 'Organisation: Ministry of Justice, Norway',
    read(value, { byline }) {
      byline.organisation = value;
      return undefined;
    },
  },
  {
    name: 'Kicker',
    what: 'a short label above the title',
    example: 'Kicker: Interview',
    read(value, { article }) {
      article.kicker = value;
      return undefined;
    },
  },
  {
    name: 'Standfirst',
    aliases: ['summary', 'lead'],
    what: 'the introduction set in larger type',
    example: 'Standfirst: Olga Heaven M.B.E. is …',
    read(value, { article }, { inline }) {
      article.standfirst = inline(value);
      return undefined;
    },
  },
  {
    name: 'More',
    what: 'a "more information" link: a URL, or `text <URL>`',
    example: 'More: For more information on Hibiscus visit <https://www.example.org/>',
    read(value, { article }, { at }) {
      const more = parseMore(value);
      if (!more) return problem('more-link', undefined, at);
      article.more = more;
      return undefined;
    },
  },
  {
    name: 'Type',
    entriesOnly: true,
    what: '`event` or `publication`',
    example: 'Type: event',
    read(value, { entry }, { at }) {
      if (value !== 'event' && value !== 'publication') return problem('entry-type', { value }, at);
      entry.kind = value;
      return undefined;
    },
  },
  {
    name: 'Date',
    entriesOnly: true,
    what: 'a date, or a range with `to` (YYYY-MM-DD, or YYYY-MM)',
    example: 'Date: 2009-02-24 to 2009-02-27',
    read(value, { entry }, { at }) {
      const range = parseRange(value);
      if (!range) return problem('malformed-date', { value }, at);
      entry.date = range;
      return undefined;
    },
  },
  {
    name: 'Place',
    aliases: ['location', 'venue'],
    entriesOnly: true,
    what: 'where',
    example: 'Place: Strasbourg, France',
    read(value, { entry }) {
      entry.place = value;
      return undefined;
    },
  },
  {
    name: 'Link',
    aliases: ['url'],
    entriesOnly: true,
    what: "the entry's web page",
    example: 'Link: https://www.example.org/greta',
    read(value, { entry }, { at }) {
      if (!/^https?:\/\/\S+$/.test(value)) return problem('entry-link', { value }, at);
      entry.link = value;
      return undefined;
    },
  },
];

/** Every accepted spelling, lower case, and its field. */
const BY_SPELLING = new Map(
  FIELDS.flatMap((field) => [field.name, ...(field.spellings ?? [])].map((s) => [s.toLowerCase(), field])),
);
/** Words editors write for a field (lower case), and the field they mean. */
const ALIASES = new Map(
  FIELDS.flatMap((field) => (field.aliases ?? []).map((alias) => [alias, field.name] as const)),
);

/** The fields an article may have: in an events-and-publications section, the entry fields too. */
export function fieldNames(entries: boolean): string[] {
  return FIELDS.filter((field) => entries || !field.entriesOnly).map((field) => field.name);
}

export interface FieldLine {
  /** As written; '' for a line that is not `Name: value`. */
  name: string;
  value: string;
  /** 0-based, within the block. */
  index: number;
}

const FIELD_LINE = /^([A-Za-z]+):(?:\s+(.*))?$/;
const isFieldLine = (line: string) => BY_SPELLING.has(FIELD_LINE.exec(line)?.[1]?.toLowerCase() ?? '');

/**
 * The lines of the paragraph right under an article title, if it is a field block: its first line
 * is `Known: value`, or is `Name: value` with a name that is a typo of a field or is followed by
 * known field lines. A typo in the first field must be reported, not turn the block into text.
 */
export function fieldBlock(paragraph: string): FieldLine[] | undefined {
  const lines = paragraph.split('\n');
  const first = FIELD_LINE.exec(lines[0] ?? '');
  if (!first) return undefined;
  const firstName = first[1] as string;
  const isFieldBlock =
    BY_SPELLING.has(firstName.toLowerCase()) ||
    closest(firstName, [...BY_SPELLING.keys(), ...ALIASES.keys()]) !== undefined ||
    lines.slice(1).some(isFieldLine);
  if (!isFieldBlock) return undefined;
  return lines.map((text, index) => {
    const m = FIELD_LINE.exec(text);
    return { name: m?.[1] ?? '', value: (m?.[2] ?? text).trim(), index };
  });
}

/**
 * Reads a field block into `article` (its byline, entry, standfirst …), checking each line against
 * the table. `locate` gives the file position of the block's line `index`.
 */
export function readFields(
  article: Article,
  lines: readonly FieldLine[],
  options: {
    entries: boolean;
    locate(index: number): Location;
    inline(text: string): Inline[];
  },
): Problem[] {
  const problems: Problem[] = [];
  const into: FieldTarget = { article, byline: {}, entry: {} };
  for (const line of lines) {
    const at = options.locate(line.index);
    const field = BY_SPELLING.get(line.name.toLowerCase());
    if (!field) {
      const fields = fieldNames(options.entries);
      problems.push(
        line.name
          ? problem('unknown-field', { name: line.name, fields, aliases: ALIASES }, at)
          : problem('not-a-field', { line: line.value, fields }, at),
      );
      continue;
    }
    // The message names the field as written, lower case, as it always has.
    const name = line.name.toLowerCase();
    if (!line.value) problems.push(problem('empty-field', { name }, at));
    else if (field.entriesOnly && !options.entries) problems.push(problem('entry-field', { name }, at));
    else {
      const mistake = field.read(line.value, into, { at, inline: options.inline });
      if (mistake) problems.push(mistake);
    }
  }
  const { byline, entry } = into;
  if (byline.author) article.byline = byline as Byline;
  else if (byline.role || byline.organisation) {
    problems.push(problem('byline-author', undefined, options.locate(lines[0]?.index ?? 0)));
  }
  if (options.entries)
    article.entry = { kind: entry.kind ?? (entry.date || entry.place ? 'event' : 'publication'), ...entry };
  return problems;
}

/** `text <https://…>`, `[text](https://…)` or a bare URL. */
export function parseMore(value: string): MoreLink | undefined {
  const angle = /^(.*?)\s*<((?:https?:\/\/|mailto:)[^>\s]+)>\s*$/.exec(value);
  if (angle) return { label: (angle[1] as string).trim() || (angle[2] as string), href: angle[2] as string };
  const markdown = /^\[([^\]]+)\]\(((?:https?:\/\/|mailto:)[^)\s]+)\)$/.exec(value);
  if (markdown) return { label: markdown[1] as string, href: markdown[2] as string };
  if (/^(?:https?:\/\/|mailto:)\S+$/.test(value)) return { label: value, href: value };
  return undefined;
}

/** docs/authoring.md's two field tables, printed from FIELDS. */
export function fieldTablesMarkdown(): { article: string; entries: string } {
  const table = (rows: { name: string; what: string; example: string }[]) =>
    [
      '| field | what it is | example |',
      '| --- | --- | --- |',
      ...rows.map((row) => `| \`${row.name}:\` | ${row.what} | \`${row.example}\` |`),
    ].join('\n');
  return {
    article: table(FIELDS.filter((field) => !field.entriesOnly)),
    entries: table([
      ...FIELDS.filter((field) => field.entriesOnly),
      ...FIELDS.flatMap((field) => (field.inEntries ? [{ name: field.name, ...field.inEntries }] : [])),
    ]),
  };
}
