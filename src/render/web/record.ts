// The published issue as the public site reads it (src/site): written as site.json beside the
// editions, so the site's pages, feeds and search never need the issue file or its Markdown again.
// It holds the web edition's view (every piece of text already escaped), the plain text of each
// article for search, and the anchors every article has ever had, so permalinks
// (/<publication>/<NNN>/#<article>) survive re-publishing an issue whose titles changed.

import { isoDate, issueDateLabel } from '../../issue/dates.ts';
import type { Issue } from '../../issue/model.ts';
import { pdfFileName } from '../replacements.ts';
import type { IssueView } from '../view.ts';
import { webView } from './index.ts';

export const RECORD_FILE = 'site.json';
/** Bumped when the shape changes; the site skips records of another version. */
export const RECORD_VERSION = 1;

export interface ArticleRecord {
  slug: string;
  /** Earlier anchors of this article (its slug before a title changed), still linked to it. */
  aliases: string[];
  title: string;
  section: string;
  /** The article's words, as plain text: what search reads. */
  text: string;
}

export interface IssueRecord {
  version: number;
  publication: {
    slug: string;
    name: string;
    tagline?: string;
    language: string;
    listAddress: string;
    publisher: string;
    colors: { primary: string; accent: string };
  };
  number: number;
  numbered: boolean;
  code: string;
  /** The edition's language (fr); records written before translations have none: the default's. */
  language?: string;
  title: string;
  dateLabel: string;
  /** The issue's date, YYYY-MM-DD. */
  date: string;
  pdf: { name: string; bytes: number };
  /** When these editions were rendered: the feeds' `updated`. */
  renderedAt: string;
  view: IssueView & { pdfName: string };
  articles: ArticleRecord[];
}

export function issueRecord(issue: Issue, pdfBytes: number, renderedAt: Date): IssueRecord {
  const { publication } = issue;
  const view = webView(issue);
  const articles = view.sections.flatMap((section) =>
    section.articles.map((article) => ({
      slug: article.slug,
      aliases: [],
      title: article.titleText,
      section: section.name,
      text: htmlText(
        [
          article.kicker,
          article.byline,
          article.standfirst,
          ...article.segments.map((s) => ('text' in s ? s.text : `${s.figure.alt} ${s.figure.caption}`)),
          article.footnotes,
        ]
          .filter(Boolean)
          .join(' '),
      ),
    })),
  );
  return {
    version: RECORD_VERSION,
    publication: {
      slug: publication.slug,
      name: publication.name,
      tagline: publication.tagline,
      language: publication.language,
      listAddress: publication.listAddress,
      publisher: publication.publisher.name,
      colors: publication.colors,
    },
    number: issue.number,
    numbered: publication.numbered,
    code: issue.code,
    language: issue.language,
    title: issue.title,
    dateLabel: issueDateLabel(issue),
    date: firstDay(isoDate(issue.date)),
    pdf: { name: pdfFileName(publication.slug, issue.code), bytes: pdfBytes },
    renderedAt: renderedAt.toISOString(),
    view,
    articles,
  };
}

/**
 * `next` with the anchors of `previous` (the same issue as published before) kept: an article
 * whose slug changed keeps its old one as an alias, so links shared before still land on it. An
 * old slug maps to the article now at the same place in the same section; one that no longer
 * exists anywhere is dropped with its article.
 */
export function keepAnchors(previous: IssueRecord | undefined, next: IssueRecord): IssueRecord {
  if (!previous || previous.version !== next.version) return next;
  const taken = new Set(next.articles.map((a) => a.slug));
  const place = (list: ArticleRecord[], index: number) =>
    `${list[index]?.section}\u0000${list.slice(0, index).filter((a) => a.section === list[index]?.section).length}`;
  const byPlace = new Map(next.articles.map((article, i) => [place(next.articles, i), article]));
  const bySlug = new Map(next.articles.map((article) => [article.slug, article]));
  const articles = next.articles.map((a) => ({ ...a, aliases: [...a.aliases] }));
  const target = new Map(articles.map((a) => [a.slug, a]));
  previous.articles.forEach((old, i) => {
    const now = bySlug.get(old.slug) ?? byPlace.get(place(previous.articles, i));
    const article = now && target.get(now.slug);
    if (!article) return;
    for (const anchor of [old.slug, ...old.aliases]) {
      if (taken.has(anchor) || article.aliases.includes(anchor)) continue;
      article.aliases.push(anchor);
      taken.add(anchor);
    }
  });
  return { ...next, articles };
}

/** The first day of a partial ISO date: 2009-05 → 2009-05-01, 2009 → 2009-01-01. */
function firstDay(date: string): string {
  return `${date}-01-01`.slice(0, 10);
}

const ENTITIES = new Map([
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['#39', "'"],
  ['nbsp', '\u00a0'],
]);

/** The text of HTML we rendered ourselves (attributes always quoted, our own entities). */
export function htmlText(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z0-9]+);/gi, (entity, name: string) => {
      if (/^#x/i.test(name)) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
      if (/^#\d/.test(name) && name !== '#39') return String.fromCodePoint(Number(name.slice(1)));
      return ENTITIES.get(name.toLowerCase()) ?? entity;
    })
    .replace(/\s+/g, ' ')
    .trim();
}
