// What the HTML templates (email and web) see: the issue model with every piece of text already
// escaped and formatted, so that templates only arrange it.

import { formatRange, isoDate, issueDateLabel } from '../issue/dates.ts';
import {
  type Article,
  type Block,
  bylineInlines,
  editionLanguageTag,
  type Issue,
  plainText,
} from '../issue/model.ts';
import { messagesFor } from '../messages/index.ts';
import {
  blocksHtml,
  escapeHtml,
  figcaptionHtml,
  footnotesHtml,
  type HtmlOptions,
  imageUrl,
  inlineHtml,
} from './html.ts';

/** A run of article content: text flows in one block; figures stand on their own. */
export type Segment = { text: string } | { figure: { src: string; alt: string; caption: string } };

export interface ArticleView {
  slug: string;
  title: string;
  titleText: string;
  kicker?: string;
  byline?: string;
  standfirst?: string;
  segments: Segment[];
  footnotes: string;
  /** "For more information visit" + a link showing the address itself, as printed bulletins do. */
  more?: { label?: string; href: string; shown: string };
  entry?: { kind: string; when?: string; datetime?: string; place?: string; link?: string };
}

export interface IssueView {
  lang: string;
  /** Only for a language written right to left (Arabic…): the editions carry dir="rtl". */
  rtl?: true;
  publication: {
    name: string;
    tagline?: string;
    listAddress: string;
    disclaimer?: string;
    issn?: string;
    publisher: { name: string; address: string[]; phone?: string; fax?: string; website?: string };
    colors: { primary: string; accent: string };
  };
  number: number;
  /** False for papers, reports and programmes: no "No. 1" anywhere. */
  numbered: boolean;
  code: string;
  title: string;
  /** The star after the title linking to its note, and the note linking back (already HTML). */
  titleNote?: { ref: string; note: string };
  author?: string;
  /** "In this issue", or "Contents" for a document that is not an issue. */
  contentsLabel: string;
  dateLabel: string;
  datetime: string;
  preheader: string;
  nextIssue?: string;
  sections: Array<{ name: string; slug: string; entries: boolean; articles: ArticleView[] }>;
  subscribeHref: string;
}

export function issueView(issue: Issue, imageBase: string): IssueView {
  const { publication } = issue;
  // The full tag (en-GB) for dates; the catalogue is chosen by its language (en).
  const language = editionLanguageTag(issue);
  return {
    lang: editionLanguageTag(issue),
    ...(messagesFor(language).direction === 'rtl' ? { rtl: true as const } : {}),
    publication: {
      name: publication.name,
      tagline: publication.tagline,
      listAddress: publication.listAddress,
      disclaimer: publication.disclaimer,
      issn: publication.issn,
      publisher: publication.publisher,
      colors: publication.colors,
    },
    number: issue.number,
    numbered: publication.numbered,
    code: issue.code,
    title: issue.title,
    titleNote: issue.titleNote && titleNoteView(issue.titleNote, { imageBase, footnotePrefix: '', language }),
    author: issue.author,
    contentsLabel: contentsLabel(issue),
    dateLabel: issueDateLabel(issue),
    datetime: isoDate(issue.date),
    preheader: issue.preheader ?? defaultPreheader(issue),
    nextIssue: issue.nextIssue ? inlineHtml(issue.nextIssue, { footnotePrefix: '' }) : undefined,
    sections: issue.sections.map((section) => ({
      name: section.label,
      slug: section.slug,
      entries: section.entries,
      articles: section.articles.map((article) =>
        articleView(
          article,
          {
            imageBase,
            footnotePrefix: `${article.slug}-`,
            language,
            citedNotes: new Set(),
          },
          language,
        ),
      ),
    })),
    subscribeHref: `mailto:${publication.listAddress}?subject=subscribe`,
  };
}

/** Unnumbered, starred: the article's notes are numbered from 1 each, and a title note is none of them. */
function titleNoteView(blocks: readonly Block[], options: HtmlOptions): IssueView['titleNote'] {
  const [only] = blocks;
  const text =
    blocks.length === 1 && only?.type === 'paragraph'
      ? inlineHtml(only.content, options)
      : blocksHtml(blocks, options);
  const messages = messagesFor(options.language ?? 'en');
  return {
    ref: `<sup class="noteref" id="title-noteref"><a href="#title-note" aria-label="${escapeHtml(messages.t('edition.titleNote'))}">*</a></sup>`,
    note: `<div class="footnotes title-note" id="title-note" role="note"><a class="backref" href="#title-noteref" aria-label="${escapeHtml(messages.t('edition.backToTitle'))}">*</a> ${text}</div>`,
  };
}

/** "In this issue", or "Contents" for a document that is not an issue, in the issue's language. */
export function contentsLabel(issue: Issue): string {
  return messagesFor(issue.language).t(
    issue.publication.numbered ? 'edition.contents' : 'edition.contentsOfDocument',
  );
}

function defaultPreheader(issue: Issue): string {
  const names = issue.sections.flatMap((s) => s.articles.slice(0, 1).map((a) => plainText(a.title)));
  const label = contentsLabel(issue);
  return `${issue.title}. ${label}: ${names.join('; ')}`.slice(0, 150);
}

function articleView(article: Article, options: HtmlOptions, language: string): ArticleView {
  const entry = article.entry;
  return {
    slug: article.slug,
    title: inlineHtml(article.title, options),
    titleText: plainText(article.title),
    kicker: article.kicker && escapeHtml(article.kicker),
    byline: article.byline && inlineHtml(bylineInlines(article.byline), options),
    standfirst: article.standfirst && inlineHtml(article.standfirst, options),
    segments: segments(article.blocks, options),
    footnotes: footnotesHtml(article.footnotes, options),
    more: article.more && moreView(article.more.label, article.more.href),
    entry: entry && {
      kind: entry.kind,
      when: entry.date && formatRange(entry.date, language),
      datetime: entry.date && isoDate(entry.date.start),
      place: entry.place,
      link: entry.link,
    },
  };
}

function segments(blocks: readonly Block[], options: HtmlOptions): Segment[] {
  const out: Segment[] = [];
  let run: Block[] = [];
  const flush = () => {
    if (run.length) out.push({ text: blocksHtml(run, options) });
    run = [];
  };
  for (const block of blocks) {
    if (block.type !== 'figure') {
      run.push(block);
      continue;
    }
    flush();
    out.push({
      figure: {
        src: imageUrl(block.image, options),
        alt: block.image.alt,
        caption: figcaptionHtml(block.caption, block.credit, options),
      },
    });
  }
  flush();
  return out;
}

function moreView(label: string, href: string): ArticleView['more'] {
  const shown = href.replace(/^mailto:/, '');
  return { label: label === href ? undefined : label, href, shown };
}
