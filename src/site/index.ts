// src/site: the public site (issue 13). It owns what a reader and a search engine meet on the web:
// the home page listing every publication, each publication's paginated archive, the issue pages
// with navigation and stable article permalinks, the Atom and JSON feeds, full-text search in
// PostgreSQL, and the static copy written by `bulletin site --out <dir>`. It reads only what
// `publish` stored (the site.json record beside each issue's editions, src/render/web/record.ts)
// and the publications' settings; the editions' files are served by src/web/editions.ts.

import type { Publication } from '../issue/model.ts';
import type { SitePublication } from './published.ts';

export { exportSite } from './export.ts';
export { indexPublishedIssue, publishedRoot, recordEarlierEditions, syncSearchIndex } from './indexing.ts';
export { publishedIssues, type SitePublication } from './published.ts';
export { siteRoutes } from './routes.ts';

export function sitePublication(publication: Publication): SitePublication {
  return {
    slug: publication.slug,
    name: publication.name,
    tagline: publication.tagline,
    language: publication.language,
    languages: publication.languages,
    listAddress: publication.listAddress,
    colors: publication.colors,
    numbered: publication.numbered,
    publisher: publication.publisher.name,
  };
}
