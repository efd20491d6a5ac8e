// The public site's addresses, in one place: the served site and its static copy use the same
// paths, and every link in a page is relative to that page, so the copy works from any folder.

/**
 * Where a publication's pages in one language live: `global-eye` for the default language,
 * `global-eye/fr` for French. Every path below takes it where it takes the publication, so a
 * language is a folder with the same archive, issues and feeds (render/replacements.ts editionPath).
 */
export function scopeOf(publication: string, language?: string): string {
  return language ? `${publication}/${language}` : publication;
}

/** A page's path from the site's root, without the leading slash: "", "global-eye/", "global-eye/005/". */
export const paths = {
  home: '',
  search: 'search',
  publicationSearch: (publication: string) => `${publication}/search`,
  archive: (publication: string, page = 1) => (page > 1 ? `${publication}/page/${page}/` : `${publication}/`),
  issue: (publication: string, code: string) => `${publication}/${code}/`,
  article: (publication: string, code: string, slug: string) => `${publication}/${code}/#${slug}`,
  pdf: (publication: string, code: string, file: string) => `${publication}/${code}/${file}`,
  atom: (publication: string) => `${publication}/feed.xml`,
  json: (publication: string) => `${publication}/feed.json`,
  subscribe: (publication: string) => `${publication}/subscribe`,
};

/** The prefix that leads from the page at `from` back to the root: "global-eye/005/" → "../../". */
export function toRoot(from: string): string {
  return '../'.repeat(from.split('/').length - 1);
}

/** `to` as seen from the page at `from`; the root itself is "./" (never an empty href). */
export function relative(from: string, to: string): string {
  return `${toRoot(from)}${to}` || './';
}

/** `path` under the site's public address: "https://news.example.org/global-eye/005/". */
export function absolute(publicUrl: string, path: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/${path}`;
}
