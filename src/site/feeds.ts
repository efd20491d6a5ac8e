// A publication's feeds: Atom (RFC 4287) at /<publication>/feed.xml and JSON Feed 1.1 beside it at
// feed.json. One entry per issue, newest first, with the issue's full content (its sections and
// articles as on the web, every link and image made absolute), the web edition as the alternate
// link and the PDF as an enclosure. Written here rather than with the `feed` package, whose Atom
// types an enclosure "image/<extension>" (image/pdf) and which writes no xml:lang.

import { messagesFor } from '../messages/index.ts';
import { escapeHtml } from '../render/html.ts';
import { webTemplates } from '../render/web/index.ts';
import type { IssueRecord } from '../render/web/record.ts';
import { absolute, paths, scopeOf } from './links.ts';
import type { SitePublication } from './published.ts';

export const ATOM_TYPE = 'application/atom+xml; charset=utf-8';
export const JSON_FEED_TYPE = 'application/feed+json; charset=utf-8';

let content: HandlebarsTemplateDelegate | undefined;

/** The issue's body as feed readers get it: absolute links, images and note anchors. */
export function feedContent(record: IssueRecord, publicUrl: string, scope = record.publication.slug): string {
  content ??= webTemplates().compile('{{> content}}');
  const page = absolute(publicUrl, paths.issue(scope, record.code));
  const intro = `<p><strong>${escapeHtml(record.title)}</strong></p>`;
  // Our renderer always writes these attributes double-quoted, so the replacements are exact.
  return `${intro}${content(record.view)}`
    .replace(/ (href|src)="#/g, ` $1="${page}#`)
    .replace(/ (href|src)="(?![a-z][a-z0-9+.-]*:)(?!\/)([^"]*)"/gi, ` $1="${page}$2"`);
}

/** "No. 5: Title" in the edition's language ("N° 5 : Title" in French). */
export function entryTitle(record: IssueRecord): string {
  return record.numbered
    ? messagesFor(record.language ?? record.publication.language).t('site.entryTitle', {
        number: record.number,
        title: record.title,
      })
    : record.title;
}

/** The issue's date as an instant: midnight UTC of its (first) day. */
function issueDate(record: IssueRecord): string {
  return new Date(`${record.date}T00:00:00Z`).toISOString();
}

function xml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Newest `updated` of the issues, or the epoch for a publication with none yet. */
function feedUpdated(records: readonly IssueRecord[]): string {
  const newest = Math.max(0, ...records.map((r) => Date.parse(r.renderedAt) || 0));
  return new Date(newest).toISOString();
}

/** Where a language's feed and pages are (`language`: a translation's code), and the tag it declares. */
function feedScope(publication: SitePublication, language: string | undefined) {
  return language
    ? { scope: scopeOf(publication.slug, language), lang: language }
    : { scope: publication.slug, lang: publication.language };
}

export function atomFeed(
  publication: SitePublication,
  records: readonly IssueRecord[],
  publicUrl: string,
  language?: string,
): string {
  const url = (path: string) => xml(absolute(publicUrl, path));
  const { scope, lang } = feedScope(publication, language);
  const archive = paths.archive(scope);
  const entries = records.map((record) => {
    const issue = paths.issue(scope, record.code);
    const pdf = paths.pdf(scope, record.code, record.pdf.name);
    return `  <entry>
    <id>${url(issue)}</id>
    <title type="text">${xml(entryTitle(record))}</title>
    <link rel="alternate" type="text/html" href="${url(issue)}"/>
    <link rel="enclosure" type="application/pdf" length="${record.pdf.bytes}" title="${xml(`PDF edition, ${record.pdf.name}`)}" href="${url(pdf)}"/>
    <published>${issueDate(record)}</published>
    <updated>${xml(record.renderedAt)}</updated>
    <summary type="text">${xml(record.view.preheader)}</summary>
    <content type="html">${xml(feedContent(record, publicUrl, scope))}</content>
  </entry>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${xml(lang)}">
  <id>${url(archive)}</id>
  <title type="text">${xml(publication.name)}</title>
${publication.tagline ? `  <subtitle type="text">${xml(publication.tagline)}</subtitle>\n` : ''}  <updated>${feedUpdated(records)}</updated>
  <author><name>${xml(publication.publisher)}</name></author>
  <link rel="self" type="application/atom+xml" href="${url(paths.atom(scope))}"/>
  <link rel="alternate" type="text/html" href="${url(archive)}"/>
  <generator>bulletin</generator>
${entries.join('\n')}
</feed>
`;
}

export function jsonFeed(
  publication: SitePublication,
  records: readonly IssueRecord[],
  publicUrl: string,
  language?: string,
): string {
  const url = (path: string) => absolute(publicUrl, path);
  const { scope, lang } = feedScope(publication, language);
  return `${JSON.stringify(
    {
      version: 'https://jsonfeed.org/version/1.1',
      title: publication.name,
      description: publication.tagline,
      home_page_url: url(paths.archive(scope)),
      feed_url: url(paths.json(scope)),
      language: lang,
      authors: [{ name: publication.publisher }],
      items: records.map((record) => ({
        id: url(paths.issue(scope, record.code)),
        url: url(paths.issue(scope, record.code)),
        title: entryTitle(record),
        summary: record.view.preheader,
        content_html: feedContent(record, publicUrl, scope),
        date_published: issueDate(record),
        date_modified: record.renderedAt,
        attachments: [
          {
            url: url(paths.pdf(scope, record.code, record.pdf.name)),
            mime_type: 'application/pdf',
            title: `${messagesFor(lang).t('edition.pdfEdition')}, ${record.pdf.name}`,
            size_in_bytes: record.pdf.bytes,
          },
        ],
      })),
    },
    null,
    2,
  )}\n`;
}
