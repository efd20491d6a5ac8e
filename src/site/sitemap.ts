// What search engines read first: robots.txt (index the site, not the search results, the
// subscribers' token pages or the dashboard) and a sitemap of every page with its last change.

import type { IssueRecord } from '../render/web/record.ts';
import { absolute, paths, scopeOf } from './links.ts';
import { archivePages } from './pages.ts';
import type { SitePublication } from './published.ts';

export const SITEMAP_TYPE = 'application/xml; charset=utf-8';

function xml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function sitemap(
  publicUrl: string,
  publications: readonly SitePublication[],
  issues: ReadonlyMap<string, readonly IssueRecord[]>,
  /** Each publication's translations' issues, by language: their archives and pages too. */
  translations: ReadonlyMap<string, ReadonlyMap<string, readonly IssueRecord[]>> = new Map(),
): string {
  const entries: Array<{ path: string; modified?: string }> = [{ path: paths.home }];
  const add = (scope: string, records: readonly IssueRecord[]) => {
    for (let page = 1; page <= archivePages(records.length); page++)
      entries.push({
        path: paths.archive(scope, page),
        modified: page === 1 ? records[0]?.renderedAt : undefined,
      });
    for (const record of records)
      entries.push({ path: paths.issue(scope, record.code), modified: record.renderedAt });
  };
  for (const publication of publications) {
    add(publication.slug, issues.get(publication.slug) ?? []);
    for (const [language, records] of translations.get(publication.slug) ?? [])
      if (records.length) add(scopeOf(publication.slug, language), records);
  }
  const urls = entries.map(
    ({ path, modified }) =>
      `  <url><loc>${xml(absolute(publicUrl, path))}</loc>${modified ? `<lastmod>${xml(modified)}</lastmod>` : ''}</url>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${urls.join('\n')}
</urlset>
`;
}

export function robots(publicUrl: string, mode: 'served' | 'static'): string {
  const served = ['/search', '/*/search', '/confirm/', '/unsubscribe/', '/change/', '/admin/'];
  return `User-agent: *
${mode === 'served' ? served.map((path) => `Disallow: ${path}`).join('\n') : 'Allow: /'}

Sitemap: ${absolute(publicUrl, 'sitemap.xml')}
`;
}
