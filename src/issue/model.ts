// The typed model of an issue: produced once by the loader, read by every renderer.
// Renderers never see Markdown; they walk these blocks and inlines.

export type Inline =
  | { type: 'text'; text: string }
  | { type: 'strong'; children: Inline[] }
  | { type: 'em'; children: Inline[] }
  | { type: 'code'; text: string }
  | { type: 'link'; href: string; children: Inline[] }
  | { type: 'break' }
  | { type: 'footnoteRef'; number: number };

export type Block =
  | { type: 'paragraph'; content: Inline[] }
  /** An interview question; the paragraphs after it are the answer. */
  | { type: 'question'; content: Inline[] }
  /** A heading inside an article: `###` is level 3, `####` level 4 (the article's title is 2). */
  | { type: 'heading'; level: 3 | 4; content: Inline[] }
  | { type: 'list'; ordered: boolean; start: number; marker?: ListMarker; items: Block[][] }
  /** A bibliography: one entry per item, set with a hanging indent, never bulleted or justified. */
  | { type: 'references'; title: string; items: Inline[][] }
  | { type: 'programme'; days: ProgrammeDay[] }
  | { type: 'quote'; blocks: Block[] }
  | { type: 'pullQuote'; blocks: Block[] }
  | { type: 'sidebar'; title: string; blocks: Block[] }
  | { type: 'figure'; image: Image; caption: Inline[]; credit: string | undefined }
  | { type: 'table'; align: Array<'left' | 'center' | 'right'>; header: Inline[][]; rows: Inline[][][] };

/** How an ordered list counts and punctuates: 1. 2. / a) b) / (i) (ii) … */
export interface ListMarker {
  numbering: 'decimal' | 'lower-alpha' | 'upper-alpha' | 'lower-roman' | 'upper-roman';
  /** `.` → "a.", `)` → "a)", `()` → "(a)". */
  delimiter: '.' | ')' | '()';
}

/** A person on a programme: "Jan Austad, THB Coordinator, Ministry of Justice". */
export interface Person {
  name: string;
  role?: string;
  organisation?: string;
}

/** "09:00": hours and minutes of the day, as written in the programme (24-hour clock). */
export interface TimeOfDay {
  hours: number;
  minutes: number;
}

export interface ProgrammeSlot {
  /** Unique within its article: `coffee-break`, then `coffee-break-2` on the next day. */
  id: string;
  start: TimeOfDay;
  end?: TimeOfDay;
  title: Inline[];
  /** Breaks (coffee, lunch…) are set quietly; sessions carry people and descriptions. */
  kind: 'session' | 'break';
  /** Chair or Moderator, as the editor labelled them. */
  chair?: { label: 'Chair' | 'Moderator'; people: Person[] };
  speakers: Person[];
  place?: string;
  description: Block[];
}

export interface ProgrammeDay {
  /** The heading as written (`### Day 1`), or undefined for a one-day programme without headings. */
  label?: string;
  /** When the heading is a date (`### 2026-03-10`), written out in the publication's language. */
  date?: PartialDate;
  /** Text under the day heading before its first slot. */
  intro: Block[];
  slots: ProgrammeSlot[];
}

export interface Image {
  /** Absolute path on disk, checked to exist by the loader. */
  file: string;
  /** Path relative to the issue file, as written: the web edition serves it under the same path. */
  path: string;
  alt: string;
}

/** A calendar date as editors write it: a day, or only a month. */
export interface PartialDate {
  year: number;
  month: number;
  day?: number;
}

export interface DateRange {
  start: PartialDate;
  end?: PartialDate;
}

export interface Byline {
  author: string;
  /** A note on the author (`By: Name[^bio]`), by number. */
  note?: number;
  role?: string;
  organisation?: string;
}

export interface MoreLink {
  label: string;
  href: string;
}

export interface Entry {
  kind: 'event' | 'publication';
  date?: DateRange;
  place?: string;
  link?: string;
}

export interface Footnote {
  number: number;
  blocks: Block[];
}

/** "a)", "(ii)", "3." : the marker of item `index` (0-based) of an ordered list. */
export function listMarker(list: { start: number; marker?: ListMarker }, index: number): string {
  const n = list.start + index;
  const marker = list.marker ?? { numbering: 'decimal', delimiter: '.' };
  let label: string;
  switch (marker.numbering) {
    case 'lower-alpha':
    case 'upper-alpha':
      label = alphabetic(n);
      break;
    case 'lower-roman':
    case 'upper-roman':
      label = roman(n);
      break;
    default:
      label = String(n);
  }
  if (marker.numbering.startsWith('upper')) label = label.toUpperCase();
  return marker.delimiter === '()' ? `(${label})` : `${label}${marker.delimiter}`;
}

/** 1 → a, 26 → z, 27 → aa. */
function alphabetic(n: number): string {
  let out = '';
  for (let k = n; k > 0; k = Math.floor((k - 1) / 26)) out = String.fromCharCode(97 + ((k - 1) % 26)) + out;
  return out;
}

const ROMAN: Array<[number, string]> = [
  [1000, 'm'],
  [900, 'cm'],
  [500, 'd'],
  [400, 'cd'],
  [100, 'c'],
  [90, 'xc'],
  [50, 'l'],
  [40, 'xl'],
  [10, 'x'],
  [9, 'ix'],
  [5, 'v'],
  [4, 'iv'],
  [1, 'i'],
];

export function roman(n: number): string {
  let out = '';
  let rest = n;
  for (const [value, letters] of ROMAN) {
    while (rest >= value) {
      out += letters;
      rest -= value;
    }
  }
  return out;
}

/** "09:00". */
export function timeText(time: TimeOfDay): string {
  return `${String(time.hours).padStart(2, '0')}:${String(time.minutes).padStart(2, '0')}`;
}

/** "09:00–10:30", or "09:00" for a slot without an end. */
export function slotTime(slot: ProgrammeSlot): string {
  return slot.end ? `${timeText(slot.start)}\u2013${timeText(slot.end)}` : timeText(slot.start);
}

/** "Jan Austad, THB Coordinator, Ministry of Justice". */
export function personText(person: Person): string {
  return [person.name, person.role, person.organisation].filter(Boolean).join(', ');
}

export interface Article {
  slug: string;
  title: Inline[];
  kicker?: string;
  byline?: Byline;
  standfirst?: Inline[];
  blocks: Block[];
  more?: MoreLink;
  /** Present for articles in a section whose publication declares `entries: true`. */
  entry?: Entry;
  footnotes: Footnote[];
  line: number;
}

export interface Section {
  /** The section's keyword, as declared in publication.yml and written in every language's file. */
  name: string;
  /** What editions print: the name, or its label for the issue's language (publication.yml `labels`). */
  label: string;
  slug: string;
  entries: boolean;
  articles: Article[];
  line: number;
}

export interface Publisher {
  name: string;
  address: string[];
  phone?: string;
  fax?: string;
  website?: string;
}

export interface Publication {
  /** The folder name under issues/: global-eye. */
  slug: string;
  name: string;
  tagline?: string;
  listAddress: string;
  /** The default language's full tag, as dates and hyphenation want it: en-GB. */
  language: string;
  /** Language codes editions are made in, the default (the primary tag of `language`) first. */
  languages: string[];
  issn?: string;
  publisher: Publisher;
  disclaimer?: string;
  /** `labels`: the section's name in each other language, by language code. */
  sections: Array<{ name: string; entries: boolean; labels?: ReadonlyMap<string, string> }>;
  colors: { primary: string; accent: string };
  /** Absolute path of the logo file, if any. */
  logo?: string;
  pdf: { paper: 'A4' | 'Letter'; columns: number; attach: boolean };
  /** False for papers, reports and programmes: their items are never called "No. 1". */
  numbered: boolean;
}

export interface Issue {
  publication: Publication;
  number: number;
  /** Zero-padded as in the file name: 005. */
  code: string;
  /**
   * The language of this edition (a code: en, fr): the front matter's `language`, or the file
   * name's (005.fr.md), else the publication's default.
   */
  language: string;
  title: string;
  /** A note on the issue's title (`title: "Theme[^about]"`), shown starred at the foot of the cover. */
  titleNote?: Block[];
  /** The first day of `dates` (or the month of a quarterly). */
  date: PartialDate;
  /** A document about several days (a workshop) carries the range: `2026-03-10 to 2026-03-11`. */
  dates?: DateRange;
  /** The author of a paper or report, shown under its title. */
  author?: string;
  season?: string;
  preheader?: string;
  nextIssue?: Inline[];
  sections: Section[];
  /** The issue file, absolute. */
  file: string;
}

/**
 * The language tag an edition declares (html lang, the PDF's /Lang): the publication's own tag for
 * its default language (en-GB), a translation's language code otherwise (fr).
 */
export function editionLanguageTag(issue: Pick<Issue, 'language' | 'publication'>): string {
  const tag = issue.publication.language;
  return tag.split('-')[0]?.toLowerCase() === issue.language ? tag : issue.language;
}

export function plainText(inlines: readonly Inline[]): string {
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
      case 'footnoteRef':
        break;
      default:
        out += plainText(node.children);
    }
  }
  return out;
}

/** The byline with its note's reference after the author's name. */
export function bylineInlines(byline: Byline): Inline[] {
  const rest = [byline.role, byline.organisation].filter(Boolean).join(', ');
  return [
    { type: 'text', text: byline.author },
    ...(byline.note ? [{ type: 'footnoteRef', number: byline.note } as const] : []),
    ...(rest ? [{ type: 'text', text: `, ${rest}` } as const] : []),
  ];
}

/** Articles in reading order, with their section. */
export function* articlesOf(issue: Issue): Generator<{ section: Section; article: Article }> {
  for (const section of issue.sections) for (const article of section.articles) yield { section, article };
}

/** Every image of the issue, in reading order, however deeply nested. */
export function imagesOf(issue: Issue): Image[] {
  const images: Image[] = [];
  const visit = (blocks: readonly Block[]) => {
    for (const block of blocks) {
      if (block.type === 'figure') images.push(block.image);
      else if (block.type === 'list') block.items.forEach(visit);
      else if (block.type === 'programme')
        for (const day of block.days) {
          visit(day.intro);
          for (const slot of day.slots) visit(slot.description);
        }
      else if ('blocks' in block) visit(block.blocks);
    }
  };
  for (const { article } of articlesOf(issue)) visit(article.blocks);
  return images;
}
