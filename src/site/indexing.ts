// Keeping the search index in line with what is published. Light on purpose: `publish` loads it.

import { editionsRoot } from '../campaigns/publish.ts';
import type { Db } from '../store/db.ts';
import { publishedIssues, type SitePublication } from './published.ts';
import { forgetUnpublished, indexIssue } from './search.ts';

/** Where the site reads what was published: <dataDir>/editions. */
export function publishedRoot(dataDir: string): string {
  return editionsRoot(dataDir);
}

/**
 * Brings the search index in line with what is published: every issue's current rendering in,
 * issues no longer published out. `serve` runs it at start; `publish` indexes its own issue.
 * Returns how many issues were (re)indexed.
 */
export async function syncSearchIndex(
  db: Db,
  dataDir: string,
  publications: readonly Pick<SitePublication, 'slug'>[],
): Promise<number> {
  const published = publishedIssues(publishedRoot(dataDir));
  const codes = new Map<string, string[]>();
  let indexed = 0;
  for (const { slug } of publications) {
    const issues = await published.of(slug);
    codes.set(
      slug,
      issues.map((r) => r.code),
    );
    for (const record of issues) if (await indexIssue(db, record)) indexed++;
  }
  await forgetUnpublished(db, codes);
  return indexed;
}

/** Indexes one published issue for search (after `publish` stored its editions). */
export async function indexPublishedIssue(
  db: Db,
  dataDir: string,
  publication: string,
  code: string,
): Promise<boolean> {
  const record = (await publishedIssues(publishedRoot(dataDir)).of(publication)).find((r) => r.code === code);
  return record ? indexIssue(db, record) : false;
}
