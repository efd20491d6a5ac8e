// Loads and validates one issue file: front matter, sections, articles, fields. Every problem is
// collected with its location; an issue is returned only when there are no errors.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Token } from 'markdown-it';
import { z } from 'zod';
import { error, hasErrors, type Problem } from '../problems.ts';
import { closest, didYouMean } from '../suggest.ts';
import {
  deepHeadings,
  type FootnoteEnv,
  footnoteProblems,
  frontMatterEnd,
  structureWarnings,
  unclosedBoxes,
  unclosedFrontMatter,
} from './checks.ts';
import { parseRange } from './dates.ts';
import { BlockConverter, createMarkdown, type FrontMatterInline, type Node, toTree } from './markdown.ts';
import type {
  Article,
  Block,
  Byline,
  DateRange,
  Entry,
  Footnote,
  Inline,
  Issue,
  MoreLink,
  Publication,
  Section,
} from './model.ts';
import { plainText } from './model.ts';
import { citeBylineNote, citeTitleNotes, numberNotesByArticle } from './notes.ts';
import { loadPublication } from './publication.ts';
import { slugify } from './slug.ts';
import { parseLocatedYaml, schemaProblems, unknownKeyWarnings } from './yaml.ts';

export interface LoadResult {
  issue?: Issue;
  problems: Problem[];
}

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
});

const numberedFrontMatterSchema = frontMatterSchema.extend({
  number: z.number({ error: 'is required: the issue number, e.g. 5' }).int().positive(),
});

/** Field names as editors write them; matched case-blind. */
const FIELD_NAMES = ['By', 'Role', 'Organisation', 'Kicker', 'Standfirst', 'More'];
const ENTRY_FIELD_NAMES = ['Type', 'Date', 'Place', 'Link'];
const FIELDS = [...FIELD_NAMES, 'Organization', ...ENTRY_FIELD_NAMES].map((name) => name.toLowerCase());
/** Words editors write for a field, and the field they mean. */
const FIELD_ALIASES = new Map([
  ['author', 'By'],
  ['authors', 'By'],
  ['byline', 'By'],
  ['writer', 'By'],
  ['position', 'Role'],
  ['affiliation', 'Organisation'],
  ['institution', 'Organisation'],
  ['summary', 'Standfirst'],
  ['lead', 'Standfirst'],
  ['url', 'Link'],
  ['location', 'Place'],
  ['venue', 'Place'],
]);
const ENTRY_FIELDS = new Set(ENTRY_FIELD_NAMES.map((name) => name.toLowerCase()));
const FIELD_LINE = /^([A-Za-z]+):(?:\s+(.*))?$/;

export function loadIssue(path: string): LoadResult {
  const file = resolve(path);
  if (!existsSync(file) || !statSync(file).isFile()) {
    return {
      problems: [
        error(
          'missing-file',
          `${path} does not exist.`,
          'Give the path of an issue file, e.g. issues/global-eye/005.md.',
        ),
      ],
    };
  }
  const problems: Problem[] = [];
  const nameMatch = /^(\d{3,})\.md$/.exec(basename(file));
  if (!nameMatch) {
    problems.push(
      error(
        'file-name',
        `An issue file is named by its zero-padded number, not "${basename(file)}".`,
        'Rename it, e.g. 005.md.',
        { file },
      ),
    );
  }
  const { publication, problems: publicationProblems } = loadPublication(dirname(file));
  problems.push(...publicationProblems);

  const raw = readFileSync(file, 'utf8').replace(/\r\n?/g, '\n');
  // U+FFFD is what Node's decoder leaves where the bytes were not UTF-8.
  const badAt = raw.search(/[\0\uFFFD]/);
  if (badAt >= 0) {
    return {
      problems: [
        ...problems,
        error(
          'not-text',
          'The file is not UTF-8 text (a NUL byte or invalid UTF-8).',
          'Save it as UTF-8 from your editor.',
          {
            file,
            line: countLines(raw.slice(0, badAt)) + 1,
          },
        ),
      ],
    };
  }
  if (!/^---\n/.test(raw)) {
    problems.push(
      error(
        'missing-front-matter',
        'The file does not start with front matter.',
        'Start it with a --- line, the fields (number, title, date), and another --- line.',
        {
          file,
          line: 1,
        },
      ),
    );
    return { problems };
  }
  const rawLines = raw.split('\n');
  const end = frontMatterEnd(rawLines);
  if (end === undefined) {
    const firstHeading = rawLines.findIndex((line) => /^#{1,6}\s+\S/.test(line));
    problems.push(unclosedFrontMatter(file, firstHeading < 0 ? undefined : firstHeading + 1));
    return { problems };
  }
  const content = rawLines.slice(end + 1).join('\n');
  const bodyOffset = end + 1;
  const matterLines = rawLines.slice(1, end);
  const yaml = parseLocatedYaml(matterLines.join('\n'), file, 2);
  // A section heading inside the front matter means its closing --- is missing and a later ---
  // (a rule in the body) closed it: one problem says so, rather than one for every line of text.
  const headingInside = matterLines.findIndex(
    (line) => isSectionHeading(line, publication) || (yaml.problems.length > 0 && /^##+\s+\S/.test(line)),
  );
  if (headingInside >= 0) {
    problems.push(unclosedFrontMatter(file, headingInside + 2));
    return { problems };
  }
  problems.push(...yaml.problems);
  let front: z.infer<typeof frontMatterSchema> | undefined;
  if (!yaml.problems.length) {
    const schema = publication?.numbered === false ? frontMatterSchema : numberedFrontMatterSchema;
    const parsed = schema.safeParse(normaliseYamlDates(yaml.value ?? {}));
    if (parsed.success) front = parsed.data;
    else problems.push(...schemaProblems(parsed, yaml, file));
    problems.push(...unknownKeyWarnings(yaml.value, Object.keys(frontMatterSchema.shape), yaml, file));
    if (front?.number !== undefined && nameMatch && Number(nameMatch[1]) !== front.number) {
      problems.push(
        error(
          'number-mismatch',
          `number is ${front.number} but the file is ${basename(file)}.`,
          'Make the file name and the number agree.',
          {
            file,
            ...yaml.locate(['number']),
          },
        ),
      );
    }
  }
  if (!publication) return { problems };

  const md = createMarkdown();
  const body = { file, lines: content.split('\n'), lineOffset: bodyOffset };
  const converter = new BlockConverter(md, file, body.lines, bodyOffset);
  const frontMatter: FrontMatterInline | undefined = front?.title.includes('[^')
    ? { text: front.title }
    : undefined;
  const env: FootnoteEnv = frontMatter ? { frontMatter } : {};
  const tokens = md.parse(content, env);
  const cited = frontMatter && citeTitleNotes(frontMatter.text, frontMatter.tokens ?? []);
  for (const label of cited?.undefinedLabels ?? []) {
    problems.push(
      error(
        'footnote-not-defined',
        `The title cites note [^${label}], which is never defined, so it would print as "[^${label}]".`,
        `Add the note in the body on a line of its own: "[^${label}]: The note's text.", or remove the citation.`,
        { file, ...yaml.locate(['title']) },
      ),
    );
  }
  const noteBodies = new Map<number, Block[]>();
  const sections = readSections(toTree(tokens), converter, publication, noteBodies);
  const titleNote = cited?.numbers.flatMap((number) => noteBodies.get(number) ?? []);
  const nextIssue = front?.next_issue
    ? converter.inlineString(front.next_issue, { file, ...yaml.locate(['next_issue']) })
    : undefined;
  problems.push(
    ...converter.problems,
    ...unclosedBoxes(tokens, body),
    ...footnoteProblems(env, body),
    ...deepHeadings(tokens, body),
    ...structureWarnings(sections, body),
  );

  if (hasErrors(problems) || !front || !nameMatch) return { problems };
  const dates = parseRange(front.date) as DateRange;
  return {
    problems,
    issue: {
      publication,
      number: front.number ?? Number(nameMatch[1]),
      code: nameMatch[1] as string,
      title: cited?.title ?? front.title,
      ...(titleNote?.length ? { titleNote } : {}),
      date: dates.start,
      ...(dates.end ? { dates } : {}),
      ...(front.author ? { author: front.author } : {}),
      season: front.season,
      preheader: front.preheader,
      nextIssue,
      sections,
      file,
    },
  };
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

/** `footnoteBodies` receives every note's blocks, by number, for the notes cited outside articles. */
function readSections(
  nodes: Node[],
  converter: BlockConverter,
  publication: Publication,
  footnoteBodies: Map<number, Block[]>,
): Section[] {
  const sections: Section[] = [];
  const declared = publication.sections;
  const slugs = new Map<string, number>();
  const sectionSlugs = new Set(declared.map((s) => slugify(s.name)));
  let section: Section | undefined;
  // After an unknown section heading its articles are not reported again as outside a section.
  let inUnknownSection = false;
  let article: Article | undefined;
  const pendingFootnotes: { article: Article; numbers: number[] }[] = [];

  const closeArticle = () => {
    if (article) pendingFootnotes.push({ article, numbers: converter.takeFootnoteRefs() });
    article = undefined;
  };
  const closeSection = () => {
    closeArticle();
    if (section && !section.articles.length) {
      converter.problems.push(
        error(
          'empty-section',
          `Section "${section.name}" has no articles.`,
          'Add an article under it (## Title) or remove the heading.',
          {
            file: converter.locate(undefined).file,
            line: section.line,
            column: 1,
          },
        ),
      );
    }
  };

  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i] as Node;
    const { token } = node;
    if (token.type === 'footnote_block_open') {
      for (const note of node.children) {
        footnoteBodies.set((note.token.meta as { id: number }).id + 1, converter.blocks(note.children));
      }
      continue;
    }
    if (token.type === 'heading_open' && token.tag === 'h1') {
      closeSection();
      const name = plainText(converter.inlineOf(node)).trim();
      const location = converter.locate(token);
      const index = declared.findIndex((s) => s.name.toLowerCase() === name.toLowerCase());
      if (index < 0) {
        converter.problems.push(
          error(
            'unknown-section',
            `Unknown section "${name}".${didYouMean(
              name,
              declared.map((s) => s.name),
            )}`,
            `Use one of: ${declared.map((s) => s.name).join(', ')} (declared in publication.yml).`,
            location,
          ),
        );
        section = undefined;
        inUnknownSection = true;
        continue;
      }
      inUnknownSection = false;
      const spec = declared[index] as { name: string; entries: boolean };
      const previous = sections[sections.length - 1];
      const previousIndex = previous ? declared.findIndex((s) => s.name === previous.name) : -1;
      if (sections.some((s) => s.name === spec.name)) {
        converter.problems.push(
          error(
            'duplicate-section',
            `Section "${spec.name}" appears twice.`,
            'Put all its articles under one heading.',
            location,
          ),
        );
      } else if (index < previousIndex) {
        converter.problems.push(
          error(
            'section-order',
            `Section "${spec.name}" comes after "${previous?.name}".`,
            `Sections follow the order of publication.yml: ${declared.map((s) => s.name).join(', ')}.`,
            location,
          ),
        );
      }
      section = {
        name: spec.name,
        slug: slugify(spec.name),
        entries: spec.entries,
        articles: [],
        line: location.line ?? 1,
      };
      sections.push(section);
      continue;
    }
    if (token.type === 'heading_open' && token.tag === 'h2') {
      closeArticle();
      const location = converter.locate(token);
      const title = converter.inlineOf(node);
      if (!section && !inUnknownSection) {
        converter.problems.push(
          error(
            'article-outside-section',
            `Article "${plainText(title)}" is not inside a section.`,
            'Put a # Section heading above it.',
            location,
          ),
        );
      }
      const natural = slugify(plainText(title)) || `article-${location.line}`;
      // Sections and articles share one space of HTML ids: an article named like a section gets its own.
      const slug = sectionSlugs.has(natural) ? `${natural}-article` : natural;
      const firstLine = slugs.get(slug);
      if (firstLine !== undefined) {
        converter.problems.push(
          error(
            'duplicate-slug',
            `Article "${plainText(title)}" has the same link name as the article on line ${firstLine}.`,
            'Give one of them a different title.',
            location,
          ),
        );
      } else slugs.set(slug, location.line ?? 0);
      article = { slug, title, blocks: [], footnotes: [], line: location.line ?? 0 };
      section?.articles.push(article);
      const next = nodes[i + 1];
      const fields = next ? fieldLines(next) : undefined;
      if (next && fields) {
        applyFields(article, fields, next.token, converter, section?.entries ?? false);
        if (article.byline) citeBylineNote(article.byline, next, converter);
        i += 1;
      }
      if (section?.entries && !article.entry) article.entry = { kind: 'publication' };
      continue;
    }
    if (!article) {
      if (!inUnknownSection) {
        converter.problems.push(
          error(
            'text-outside-article',
            section
              ? `Text in section "${section.name}" before its first article.`
              : 'Text before the first section.',
            'Every paragraph belongs to an article: add a ## Title above it.',
            converter.locate(token),
          ),
        );
      }
      continue;
    }
    const block = converter.block(node);
    if (block) article.blocks.push(block);
  }
  closeSection();
  for (const { article: owner, numbers } of pendingFootnotes) {
    owner.footnotes = [...new Set(numbers)].map(
      (number): Footnote => ({ number, blocks: footnoteBodies.get(number) ?? [] }),
    );
    numberNotesByArticle(owner);
  }
  return sections;
}

interface FieldLine {
  /** Lower case, '' for a line that is not `Name: value`. */
  key: string;
  /** As written. */
  name: string;
  value: string;
  line: number;
}

const isKnownFieldLine = (line: string) => FIELDS.includes(FIELD_LINE.exec(line)?.[1]?.toLowerCase() ?? '');

/**
 * The paragraph right under an article title is a field block when its first line is `Known: value`,
 * or is `Name: value` with a name that is a typo of a field or is followed by known field lines: a
 * typo in the first field must be reported, not turn the whole block into a paragraph.
 */
function fieldLines(node: Node): FieldLine[] | undefined {
  if (node.token.type !== 'paragraph_open') return undefined;
  const content = node.children[0]?.token.content ?? '';
  const lines = content.split('\n');
  const first = FIELD_LINE.exec(lines[0] ?? '');
  if (!first) return undefined;
  const firstName = first[1] as string;
  const isFieldBlock =
    FIELDS.includes(firstName.toLowerCase()) ||
    closest(firstName, [...FIELDS, ...FIELD_ALIASES.keys()]) !== undefined ||
    lines.slice(1).some(isKnownFieldLine);
  if (!isFieldBlock) return undefined;
  const start = node.token.map?.[0] ?? 0;
  return lines.map((text, i) => {
    const m = FIELD_LINE.exec(text);
    const name = (m?.[1] as string | undefined) ?? '';
    return { key: name.toLowerCase(), name, value: (m?.[2] ?? text).trim(), line: start + i };
  });
}

function applyFields(
  article: Article,
  fields: FieldLine[],
  at: Token,
  converter: BlockConverter,
  entries: boolean,
) {
  const byline: Partial<Byline> = {};
  const entry: Partial<Entry> = {};
  const locate = (field: FieldLine) => {
    const { file, line: firstLine = 1 } = converter.locate(at);
    return { file, line: firstLine + field.line - (at.map?.[0] ?? 0), column: 1 };
  };
  for (const field of fields) {
    const problem = (code: string, message: string, hint: string) =>
      converter.problems.push(error(code, message, hint, locate(field)));
    if (!FIELDS.includes(field.key)) {
      const names = entries ? [...FIELD_NAMES, ...ENTRY_FIELD_NAMES] : FIELD_NAMES;
      problem(
        'unknown-field',
        field.key
          ? `Unknown field "${field.name}".${didYouMean(field.name, names, FIELD_ALIASES)}`
          : `"${field.value.slice(0, 40)}" is not a field (Name: value).`,
        `Fields are ${names.join(', ')}; leave a blank line before the article's first paragraph.`,
      );
      continue;
    }
    if (!field.value) {
      problem('empty-field', `Field ${field.key} is empty.`, 'Give it a value or remove the line.');
      continue;
    }
    if (ENTRY_FIELDS.has(field.key) && !entries) {
      problem(
        'entry-field',
        `Field ${field.key} is only for events and publications.`,
        'Mark the section `entries: true` in publication.yml, or remove the line.',
      );
      continue;
    }
    switch (field.key) {
      case 'by':
        byline.author = field.value;
        break;
      case 'role':
        byline.role = field.value;
        break;
      case 'organisation':
      case 'organization':
        byline.organisation = field.value;
        break;
      case 'kicker':
        article.kicker = field.value;
        break;
      case 'standfirst':
        article.standfirst = converter.inlineString(field.value, at);
        break;
      case 'more': {
        const more = parseMore(field.value);
        if (more) article.more = more;
        else
          problem(
            'more-link',
            'More: needs an absolute link.',
            'Write "More: text <https://…>" or just the https:// address.',
          );
        break;
      }
      case 'type':
        if (field.value === 'event' || field.value === 'publication') entry.kind = field.value;
        else
          problem(
            'entry-type',
            `Type "${field.value}" is not event or publication.`,
            'Write Type: event or Type: publication.',
          );
        break;
      case 'date': {
        const range = parseRange(field.value);
        if (range) entry.date = range;
        else
          problem(
            'malformed-date',
            `Date "${field.value}" is not a date.`,
            'Write YYYY-MM-DD or YYYY-MM, or a range "2009-02-24 to 2009-02-27".',
          );
        break;
      }
      case 'place':
        entry.place = field.value;
        break;
      case 'link':
        if (/^https?:\/\/\S+$/.test(field.value)) entry.link = field.value;
        else
          problem(
            'link-not-absolute',
            `Link "${field.value}" is not an absolute web address.`,
            'Write it in full, starting with https://.',
          );
        break;
    }
  }
  if (byline.author) article.byline = byline as Byline;
  else if (byline.role || byline.organisation) {
    converter.problems.push(
      error(
        'byline-author',
        'Role/Organisation given without By.',
        'Add a By: line with the author.',
        locate(fields[0] as FieldLine),
      ),
    );
  }
  if (entries)
    article.entry = { kind: entry.kind ?? (entry.date || entry.place ? 'event' : 'publication'), ...entry };
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

export type { Inline };
export { slugify };
