// The plain-text part of the email: the same model, wrapped at 78 columns (RFC 5322's limit).
// A link whose text is not its address gets a numbered reference, listed under its article, so
// the prose stays readable and no address is lost. An address longer than a line stands alone.

import { dayTitle, formatRange, issueDateLabel } from '../../issue/dates.ts';
import {
  type Article,
  type Block,
  bylineInlines,
  editionLanguageTag,
  type Inline,
  type Issue,
  listMarker,
  type Person,
  type ProgrammeDay,
  personText,
  plainText,
  slotTime,
} from '../../issue/model.ts';
import { type Messages, messagesFor } from '../../messages/index.ts';
import { chairLabel } from '../html.ts';
import { PLACEHOLDERS } from '../replacements.ts';
import { contentsLabel } from '../view.ts';

export const TEXT_WIDTH = 78;

/** Wraps words to `width`, prefixing the first line with `first` and the others with `rest`. */
export function wrap(text: string, first = '', rest = first, width = TEXT_WIDTH): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of words) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = rest;
      empty = true;
    }
    line += (empty ? '' : ' ') + word;
    empty = false;
  }
  if (!empty) lines.push(line);
  return lines;
}

/** The article being written: its numbered link references, and its language (labels, programme days). */
class References {
  readonly urls: string[] = [];
  readonly messages: Messages;
  constructor(readonly language = 'en') {
    this.messages = messagesFor(language);
  }
  add(href: string): number {
    const index = this.urls.indexOf(href);
    if (index >= 0) return index + 1;
    this.urls.push(href);
    return this.urls.length;
  }
}

function inlineText(inlines: readonly Inline[], refs: References): string {
  let out = '';
  for (const node of inlines) {
    switch (node.type) {
      case 'text':
      case 'code':
        out += node.text;
        break;
      case 'break':
        out += ' ';
        break;
      case 'strong':
        out += inlineText(node.children, refs);
        break;
      case 'em':
        out += `_${inlineText(node.children, refs)}_`;
        break;
      case 'link': {
        const label = inlineText(node.children, refs);
        const shown = node.href.replace(/^mailto:/, '');
        out += label === node.href || label === shown ? shown : `${label} [${refs.add(node.href)}]`;
        break;
      }
      case 'footnoteRef':
        out += `[^${node.number}]`;
        break;
    }
  }
  return out;
}

function blockLines(block: Block, refs: References, indent = ''): string[] {
  const para = (content: readonly Inline[], first = indent, rest = indent) =>
    wrap(inlineText(content, refs), first, rest);
  switch (block.type) {
    case 'paragraph':
      return para(block.content);
    case 'question': {
      const label = refs.messages.t('edition.question');
      return para(block.content, `${indent}${label} `, `${indent}${' '.repeat(label.length + 1)}`);
    }
    case 'heading':
      // Level 3 underlined with dashes, level 4 with dots: the article's title has tildes.
      return underlined(inlineText(block.content, refs), block.level === 3 ? '-' : '.', indent);
    case 'references':
      return [
        ...(block.title ? [...underlined(block.title, '-', indent), ''] : []),
        ...block.items.flatMap((item) => wrap(inlineText(item, refs), indent, `${indent}    `)),
      ];
    case 'programme':
      return block.days.flatMap((day, i) => [...(i ? [''] : []), ...programmeDayLines(day, refs, indent)]);
    case 'list':
      return block.items.flatMap((item, i) => {
        const bullet = block.ordered ? `${listMarker(block, i)} ` : '* ';
        return itemLines(item, refs, `${indent}${bullet}`, `${indent}${' '.repeat(bullet.length)}`);
      });
    case 'quote':
      return blocksLines(block.blocks, refs, `${indent}> `);
    case 'pullQuote':
      return blocksLines(block.blocks, refs, `${indent}  | `);
    case 'sidebar':
      return [
        `${indent}+${'-'.repeat(TEXT_WIDTH - indent.length - 1)}`,
        ...(block.title ? wrap(block.title.toLocaleUpperCase(), `${indent}| `) : []),
        ...blocksLines(block.blocks, refs, `${indent}| `),
        `${indent}+${'-'.repeat(TEXT_WIDTH - indent.length - 1)}`,
      ];
    case 'figure': {
      const caption = [inlineText(block.caption, refs), block.credit ? `(${block.credit})` : '']
        .filter(Boolean)
        .join(' ');
      const picture = refs.messages.t('edition.picture', { alt: block.image.alt });
      return wrap(`${picture}${caption ? ` ${caption}` : ''}`, indent);
    }
    case 'table':
      return [block.header, ...block.rows].flatMap((row) =>
        wrap(row.map((cell) => inlineText(cell, refs)).join(' | '), indent, `${indent}  `),
      );
  }
}

function underlined(title: string, rule: string, indent: string): string[] {
  return [
    ...wrap(title, indent),
    `${indent}${rule.repeat(Math.min(title.length, TEXT_WIDTH - indent.length))}`,
  ];
}

const TIME_COLUMN = 13;

/** A timetable: the time of each slot in a column of its own, the session beside it. */
function programmeDayLines(day: ProgrammeDay, refs: References, indent: string): string[] {
  const out: string[] = [];
  const title = dayTitle(day, refs.language);
  if (title) out.push(...underlined(title, '.', indent));
  if (day.intro.length) out.push(...blocksLines(day.intro, refs, indent), '');
  const rest = `${indent}${' '.repeat(TIME_COLUMN)}`;
  const people = (label: string, list: readonly Person[]) =>
    list.length ? wrap(`${label}: ${list.map(personText).join('; ')}`, rest, `${rest}  `) : [];
  for (const slot of day.slots) {
    const first = `${indent}${slotTime(slot).padEnd(TIME_COLUMN)}`;
    out.push(...wrap(inlineText(slot.title, refs), first, rest));
    if (slot.place) out.push(...wrap(slot.place, rest));
    if (slot.chair) out.push(...people(chairLabel(slot.chair.label, refs.messages), slot.chair.people));
    out.push(...people(refs.messages.t('edition.speakers', { count: slot.speakers.length }), slot.speakers));
    if (slot.description.length) out.push(...blocksLines(slot.description, refs, rest));
  }
  return out;
}

function itemLines(blocks: readonly Block[], refs: References, first: string, rest: string): string[] {
  const lines = blocksLines(blocks, refs, rest).filter((line) => line.trim());
  const [head, ...tail] = lines;
  return head === undefined ? [] : [first + head.slice(rest.length), ...tail];
}

function blocksLines(blocks: readonly Block[], refs: References, indent = ''): string[] {
  const out: string[] = [];
  for (const block of blocks) {
    if (out.length) out.push(indent.trimEnd());
    out.push(...blockLines(block, refs, indent));
  }
  return out;
}

function articleLines(article: Article, language: string): string[] {
  const refs = new References(language);
  const title = plainText(article.title);
  const out: string[] = [];
  if (article.kicker) out.push(article.kicker.toLocaleUpperCase());
  out.push(...wrap(title), '~'.repeat(Math.min(title.length, TEXT_WIDTH)));
  if (article.byline)
    out.push(
      ...wrap(refs.messages.t('edition.byline', { byline: inlineText(bylineInlines(article.byline), refs) })),
    );
  const entry = article.entry;
  if (entry) {
    const meta = [entry.date && formatRange(entry.date, language), entry.place].filter(Boolean).join(', ');
    if (meta) out.push(...wrap(meta));
    if (entry.link) out.push(entry.link);
  }
  out.push('');
  if (article.standfirst) out.push(...wrap(inlineText(article.standfirst, refs)), '');
  const body = blocksLines(article.blocks, refs);
  if (body.length) out.push(...body, '');
  for (const note of article.footnotes)
    out.push(...itemLines(note.blocks, refs, `[^${note.number}] `, '     '), '');
  if (article.more) {
    const shown = article.more.href.replace(/^mailto:/, '');
    out.push(
      ...wrap(article.more.label === article.more.href ? shown : `${article.more.label} ${shown}`),
      '',
    );
  }
  if (refs.urls.length) out.push(...refs.urls.map((url, i) => `[${i + 1}] ${url}`), '');
  return out;
}

const RULE = '='.repeat(TEXT_WIDTH);

export function renderText(issue: Issue): string {
  const { publication } = issue;
  const language = editionLanguageTag(issue); // the full tag (en-GB): dates as the publication writes them
  const messages = messagesFor(language);
  const dateLabel = issueDateLabel(issue);
  const out: string[] = [
    ...wrap(publication.name.toLocaleUpperCase()),
    ...(publication.tagline ? wrap(publication.tagline) : []),
    publication.numbered
      ? `${messages.t('edition.number', { number: issue.number })} - ${dateLabel}`
      : dateLabel,
    '',
    ...wrap(issue.titleNote ? `${issue.title} *` : issue.title),
    ...(issue.author ? wrap(issue.author) : []),
    '',
    ...(issue.titleNote ? [...titleNoteLines(issue.titleNote, language), ''] : []),
    messages.t('text.webEdition', { url: PLACEHOLDERS.web_url }),
    messages.t('text.pdfEdition', { url: PLACEHOLDERS.pdf_url }),
    '',
    contentsLabel(issue).toLocaleUpperCase(language),
  ];
  for (const section of issue.sections) {
    out.push(...wrap(section.label, '* ', '  '));
    if (!section.entries)
      for (const { title } of section.articles) out.push(...wrap(plainText(title), '  - ', '    '));
  }
  for (const section of issue.sections) {
    out.push('', RULE, section.label.toLocaleUpperCase(), RULE, '');
    for (const article of section.articles) out.push(...articleLines(article, language), '');
  }
  if (issue.nextIssue)
    out.push(
      RULE,
      messages.t('edition.nextIssue').toLocaleUpperCase(language),
      RULE,
      '',
      ...wrap(inlineText(issue.nextIssue, new References(language))),
      '',
    );
  out.push(RULE);
  if (publication.disclaimer) out.push(...wrap(publication.disclaimer), '');
  out.push(
    ...wrap(
      messages.t('edition.publishedBy', {
        publication: publication.name,
        publisher: publication.publisher.name,
      }),
    ),
    ...publication.publisher.address,
  );
  if (publication.publisher.phone)
    out.push(messages.t('edition.phone', { phone: publication.publisher.phone }));
  if (publication.publisher.fax) out.push(messages.t('edition.fax', { fax: publication.publisher.fax }));
  if (publication.issn) out.push(`ISSN ${publication.issn}`);
  out.push(
    '',
    ...wrap(messages.t('text.subscribe', { address: publication.listAddress })),
    '',
    // Substituted values can be long: each stands on its own line rather than inside wrapped prose.
    messages.t('text.receivedAt'),
    PLACEHOLDERS.recipient_email,
    messages.t('text.unsubscribe'),
    PLACEHOLDERS.unsubscribe_url,
    messages.t('text.preferences'),
    PLACEHOLDERS.preferences_url,
    '',
  );
  return out
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n');
}

/** The note on the issue's title, starred like its marker, with the addresses of its links. */
function titleNoteLines(blocks: readonly Block[], language: string): string[] {
  const refs = new References(language);
  const out = itemLines(blocks, refs, '* ', '  ');
  if (refs.urls.length) out.push(...refs.urls.map((url, i) => `[${i + 1}] ${url}`));
  return out;
}
