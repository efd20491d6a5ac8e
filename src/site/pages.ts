// The public site's pages, as HTML strings: the home page (every publication), a publication's
// archive (paginated, newest first), an issue (the web edition with the site around it) and search
// results. The same functions make the served pages and the static copy (`bulletin site`); they
// differ only in `search` (a form, or a link to the archive) and `subscribe` (the web form, or mail).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Messages, messagesFor } from '../messages/index.ts';
import { renderIssuePage, type SiteChrome, webTemplates } from '../render/web/index.ts';
import type { IssueRecord } from '../render/web/record.ts';
import { absolute, paths, relative, scopeOf } from './links.ts';
import type { SitePublication } from './published.ts';
import type { SearchHit } from './search.ts';

export const ISSUES_PER_PAGE = 10;

export interface SiteOptions {
  publicUrl: string;
  /** Served: a search form and the web sign-up form. Static: a link to the archive, and mail. */
  mode: 'served' | 'static';
  publications: readonly SitePublication[];
}

const TEMPLATES = fileURLToPath(new URL('../../templates/site/', import.meta.url));
let templates: Record<'home' | 'archive' | 'search', HandlebarsTemplateDelegate> | undefined;

function compiled() {
  if (templates) return templates;
  const handlebars = webTemplates();
  handlebars.registerPartial('layout', readFileSync(`${TEMPLATES}layout.hbs`, 'utf8'));
  const compile = (name: string) => handlebars.compile(readFileSync(`${TEMPLATES}${name}.hbs`, 'utf8'));
  templates = { home: compile('home'), archive: compile('archive'), search: compile('search') };
  return templates;
}

const NEUTRAL = '#1f2933';

function subscribeHref(site: SiteOptions, from: string, publication: SitePublication): string {
  return site.mode === 'served'
    ? relative(from, paths.subscribe(publication.slug))
    : `mailto:${publication.listAddress}?subject=subscribe`;
}

/** The site bar and <head> links of a page at `from`, for one publication or the whole site. */
function chrome(
  site: SiteOptions,
  from: string,
  m: Messages,
  publication?: SitePublication,
  options: { search?: boolean; scope?: string } = {},
): SiteChrome {
  const alternates = (publication ? [publication] : site.publications).flatMap((p) => {
    const scope = publication && options.scope ? options.scope : p.slug;
    return [
      {
        type: 'application/atom+xml',
        title: m.t('site.atomFeed', { name: p.name }),
        href: relative(from, paths.atom(scope)),
      },
      {
        type: 'application/feed+json',
        title: m.t('site.jsonFeed', { name: p.name }),
        href: relative(from, paths.json(scope)),
      },
    ];
  });
  // A translation's pages search its language's edition.
  const searchPath = publication ? paths.publicationSearch(options.scope ?? publication.slug) : paths.search;
  return {
    home: relative(from, paths.home),
    archive: publication ? relative(from, paths.archive(publication.slug)) : '',
    subscribe: publication ? subscribeHref(site, from, publication) : '',
    atom: publication ? relative(from, paths.atom(options.scope ?? publication.slug)) : '',
    searchAction: site.mode === 'served' && options.search !== false ? relative(from, searchPath) : undefined,
    searchFallback:
      site.mode === 'static' && publication ? relative(from, paths.archive(publication.slug)) : undefined,
    canonical: absolute(site.publicUrl, from),
    alternates,
  };
}

/** A language's name in itself, as a switcher shows it: "Français", "Español", "English". */
export function languageName(code: string): string {
  let name = code;
  try {
    name = new Intl.DisplayNames([code], { type: 'language' }).of(code) ?? code;
  } catch {
    // an engine without this language's names: the code itself
  }
  return name.charAt(0).toLocaleUpperCase(code) + name.slice(1);
}

/** The tag a language's pages declare: the publication's own for its default (en-GB), else the code. */
function languageTag(publication: SitePublication, code: string): string {
  return code === publication.languages[0] ? publication.language : code;
}

/** A translation's language, or undefined for the default: what the paths' scope takes. */
function translated(publication: SitePublication, code: string | undefined): string | undefined {
  return code && code !== publication.languages[0] ? code : undefined;
}

/**
 * The same page in every language of `available` (codes, in the publication's order): the
 * hreflang links of the <head>, the x-default (the default language's page) and the switcher.
 */
function languageChoices(
  site: SiteOptions,
  from: string,
  publication: SitePublication,
  current: string,
  available: readonly string[],
  pathIn: (scope: string) => string,
): Pick<SiteChrome, 'languages' | 'xDefault'> {
  const codes = publication.languages.filter((code) => available.includes(code));
  if (codes.length < 2) return {};
  const languages = codes.map((code) => {
    const path = pathIn(scopeOf(publication.slug, translated(publication, code)));
    return {
      hreflang: languageTag(publication, code),
      label: languageName(code),
      href: relative(from, path),
      url: absolute(site.publicUrl, path),
      current: code === current,
    };
  });
  const [defaultCode] = publication.languages;
  const xDefault = defaultCode && codes.includes(defaultCode) ? pathIn(publication.slug) : undefined;
  return { languages, ...(xDefault === undefined ? {} : { xDefault: absolute(site.publicUrl, xDefault) }) };
}

/** A file's size as the language writes it: "121 kB", "1.2 MB"; "121 ko", "1,2 Mo" in French. */
export function fileSize(bytes: number, language: string): string {
  const [value, unit, digits] =
    bytes < 1024
      ? [bytes, 'byte', 0]
      : bytes < 1024 * 1024
        ? [Math.round(bytes / 1024), 'kilobyte', 0]
        : [bytes / 1024 / 1024, 'megabyte', 1];
  return new Intl.NumberFormat(language, {
    style: 'unit',
    unit,
    // Bytes in full ("12 bytes", "12 octets"): their short form is "byte" in English.
    unitDisplay: unit === 'byte' ? 'long' : 'short',
    maximumFractionDigits: digits,
  }).format(value);
}

export function renderHome(site: SiteOptions, latest: ReadonlyMap<string, readonly IssueRecord[]>): string {
  const from = paths.home;
  const lang = site.publications[0]?.language ?? 'en';
  const m = messagesFor(lang);
  return compiled().home({
    lang,
    title: site.publications.map((p) => p.name).join(' · ') || m.t('site.publications'),
    heading: m.t('site.ourPublications'),
    tagline: site.publications.length === 1 ? site.publications[0]?.tagline : undefined,
    description: m.t('site.homeDescription', { names: site.publications.map((p) => p.name).join(', ') }),
    color: NEUTRAL,
    site: chrome(site, from, m),
    publications: site.publications.map((publication) => {
      const issues = latest.get(publication.slug) ?? [];
      const newest = issues[0];
      return {
        name: publication.name,
        tagline: publication.tagline,
        archive: relative(from, paths.archive(publication.slug)),
        subscribe: subscribeHref(site, from, publication),
        atom: relative(from, paths.atom(publication.slug)),
        count: issues.length,
        latest: newest && {
          label: issueLabel(newest, messagesFor(publication.language)),
          dateLabel: newest.dateLabel,
          href: relative(from, paths.issue(publication.slug, newest.code)),
          pdfHref: relative(from, paths.pdf(publication.slug, newest.code, newest.pdf.name)),
          pdfSize: fileSize(newest.pdf.bytes, lang),
        },
      };
    }),
  });
}

export function archivePages(count: number): number {
  return Math.max(1, Math.ceil(count / ISSUES_PER_PAGE));
}

/** The language of a publication's pages, and the languages its archive has issues in. */
export interface PageLanguage {
  /** A language code; the publication's default when absent. */
  code?: string;
  /** Codes of the languages the same page exists in (the current one included). */
  available: readonly string[];
}

/** Page `page` (from 1) of the archive, in `language`; undefined past the last page. */
export function renderArchive(
  site: SiteOptions,
  publication: SitePublication,
  issues: readonly IssueRecord[],
  page = 1,
  language: PageLanguage = { available: [] },
): string | undefined {
  const pages = archivePages(issues.length);
  if (!Number.isInteger(page) || page < 1 || page > pages) return undefined;
  const code = language.code ?? (publication.languages[0] as string);
  const scope = scopeOf(publication.slug, translated(publication, code));
  const from = paths.archive(scope, page);
  const shown = issues.slice((page - 1) * ISSUES_PER_PAGE, page * ISSUES_PER_PAGE);
  const pager =
    pages > 1
      ? {
          page,
          pages,
          newer: page > 1 ? relative(from, paths.archive(scope, page - 1)) : undefined,
          older: page < pages ? relative(from, paths.archive(scope, page + 1)) : undefined,
        }
      : undefined;
  const m = messagesFor(code);
  const base = {
    ...chrome(site, from, m, publication, { scope }),
    ...languageChoices(site, from, publication, code, language.available, (at) => paths.archive(at)),
  };
  return compiled().archive({
    lang: languageTag(publication, code),
    title: m.t(page > 1 ? 'site.archiveTitlePaged' : 'site.archiveTitle', { name: publication.name, page }),
    heading: publication.name,
    tagline: publication.tagline,
    description: m.t('site.archiveDescription', { name: publication.name }),
    color: publication.colors.primary,
    site: { ...base, prevPage: pager?.newer, nextPage: pager?.older },
    name: publication.name,
    listAddress: publication.listAddress,
    subscribe: subscribeHref(site, from, publication),
    subscribeOnWeb: site.mode === 'served',
    count: issues.length,
    one: issues.length === 1,
    pager,
    issues: shown.map((record) => ({
      numbered: record.numbered,
      number: record.number,
      title: record.title,
      date: record.date,
      dateLabel: record.dateLabel,
      contentsLabel: record.view.contentsLabel,
      href: relative(from, paths.issue(scope, record.code)),
      pdfHref: relative(from, paths.pdf(scope, record.code, record.pdf.name)),
      pdfSize: fileSize(record.pdf.bytes, languageTag(publication, code)),
      sections: record.view.sections.map((section) => ({
        name: section.name,
        articles: section.articles.map((article) => ({
          title: article.titleText,
          href: relative(from, paths.article(scope, record.code, article.slug)),
        })),
      })),
    })),
  });
}

function issueLabel(record: IssueRecord, messages: Messages): string {
  return record.numbered
    ? `${messages.t('edition.number', { number: record.number })}, ${record.title}`
    : record.title;
}

/**
 * The issue's page; `issues` are the publication's in the record's language, newest first,
 * `record` among them; `available`, the languages this issue is published in.
 */
export function renderIssue(
  site: SiteOptions,
  publication: SitePublication,
  issues: readonly IssueRecord[],
  record: IssueRecord,
  available: readonly string[] = [],
): string {
  const code = record.language ?? (publication.languages[0] as string);
  const scope = scopeOf(publication.slug, translated(publication, code));
  const from = paths.issue(scope, record.code);
  const index = issues.findIndex((r) => r.code === record.code);
  const newer = index > 0 ? issues[index - 1] : undefined;
  const older = index >= 0 ? issues[index + 1] : undefined;
  const link = (r: IssueRecord | undefined) =>
    r && { href: relative(from, paths.issue(scope, r.code)), label: issueLabel(r, messagesFor(code)) };
  const aliases = new Map(record.articles.map((a) => [a.slug, a.aliases]));
  const view = {
    ...record.view,
    sections: record.view.sections.map((section) => ({
      ...section,
      articles: section.articles.map((article) => ({ ...article, aliases: aliases.get(article.slug) ?? [] })),
    })),
  };
  const base = chrome(site, from, messagesFor(code), publication, { scope });
  return renderIssuePage(view, {
    ...base,
    archive: relative(from, paths.archive(scope)),
    ...languageChoices(site, from, publication, code, available, (at) => paths.issue(at, record.code)),
    previous: link(older),
    next: link(newer),
  });
}

export interface SearchPage {
  /** The publication searched, or undefined for the whole site. */
  publication?: SitePublication;
  /** A translation's language code, when its edition of the publication is searched. */
  language?: string;
  query: string;
  hits: readonly SearchHit[];
  /** True when there may be more matches than shown. */
  capped: boolean;
}

export function renderSearch(site: SiteOptions, page: SearchPage): string {
  const { publication } = page;
  const from = publication ? paths.publicationSearch(scopeOf(publication.slug, page.language)) : paths.search;
  const names = new Map(site.publications.map((p) => [p.slug, p]));
  const lang = page.language ?? publication?.language ?? site.publications[0]?.language ?? 'en';
  const m = messagesFor(lang);
  const scope = publication ? publication.name : m.t('site.everyPublication');
  return compiled().search({
    lang,
    title: page.query
      ? m.t('site.searchTitle', { query: page.query, scope })
      : m.t('site.searchIn', { scope }),
    heading: m.t('site.searchIn', { scope }),
    color: publication?.colors.primary ?? NEUTRAL,
    noindex: true,
    site: chrome(site, from, m, publication, { search: false }),
    action: relative(from, from),
    scope,
    query: page.query,
    count: page.hits.length,
    one: page.hits.length === 1,
    capped: page.capped,
    browse: relative(from, publication ? paths.archive(publication.slug) : paths.home),
    hits: page.hits.map((hit) => ({
      ...hit,
      publicationName: names.get(hit.publication)?.name ?? hit.publication,
      numbered: names.get(hit.publication)?.numbered !== false,
      // A translation's hit leads to its language's edition.
      href: relative(
        from,
        paths.article(scopeOf(hit.publication, hit.edition || undefined), hit.issueCode, hit.slug),
      ),
      issueHref: relative(
        from,
        paths.issue(scopeOf(hit.publication, hit.edition || undefined), hit.issueCode),
      ),
    })),
  });
}
