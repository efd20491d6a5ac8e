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
  | { type: 'heading'; content: Inline[] }
  | { type: 'list'; ordered: boolean; start: number; items: Block[][] }
  | { type: 'quote'; blocks: Block[] }
  | { type: 'pullQuote'; blocks: Block[] }
  | { type: 'sidebar'; title: string; blocks: Block[] }
  | { type: 'figure'; image: Image; caption: Inline[]; credit: string | undefined }
  | { type: 'table'; align: Array<'left' | 'center' | 'right'>; header: Inline[][]; rows: Inline[][][] };

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
  name: string;
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
  language: string;
  issn?: string;
  publisher: Publisher;
  disclaimer?: string;
  sections: Array<{ name: string; entries: boolean }>;
  colors: { primary: string; accent: string };
  /** Absolute path of the logo file, if any. */
  logo?: string;
  pdf: { paper: 'A4' | 'Letter'; columns: number; attach: boolean };
}

export interface Issue {
  publication: Publication;
  number: number;
  /** Zero-padded as in the file name: 005. */
  code: string;
  title: string;
  date: PartialDate;
  season?: string;
  preheader?: string;
  nextIssue?: Inline[];
  sections: Section[];
  /** The issue file, absolute. */
  file: string;
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

export function bylineText(byline: Byline): string {
  return [byline.author, byline.role, byline.organisation].filter(Boolean).join(', ');
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
      else if ('blocks' in block) visit(block.blocks);
    }
  };
  for (const { article } of articlesOf(issue)) visit(article.blocks);
  return images;
}
