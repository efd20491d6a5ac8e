// Keeping the search index in line with what is published. Light on purpose: `publish` loads it.

import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { editionsRoot } from '../campaigns/publish.ts';
import { pdfFileName } from '../render/replacements.ts';
import { issueRecord, RECORD_FILE } from '../render/web/record.ts';
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

/**
 * Issues published before the site existed have editions but no record (site.json), so the site
 * would not list them. Writes their records from their issue files, when those are still in
 * `issuesDir`, dated when their web edition was stored. Returns the issues recorded.
 */
export async function recordEarlierEditions(
  dataDir: string,
  issuesDir: string,
  publications: readonly Pick<SitePublication, 'slug'>[],
): Promise<string[]> {
  const root = publishedRoot(dataDir);
  const recorded: string[] = [];
  for (const { slug } of publications) {
    const folder = join(root, slug);
    if (!existsSync(folder)) continue;
    for (const code of readdirSync(folder).filter((c) => /^\d{3,}$/.test(c))) {
      const edition = join(folder, code);
      const file = join(issuesDir, slug, `${code}.md`);
      if (
        existsSync(join(edition, RECORD_FILE)) ||
        !existsSync(join(edition, 'index.html')) ||
        !existsSync(file)
      )
        continue;
      const { loadIssue } = await import('../issue/load.ts');
      const { issue } = loadIssue(file);
      const pdf = join(edition, pdfFileName(slug, code));
      if (!issue || issue.code !== code || !existsSync(pdf)) continue;
      const record = issueRecord(issue, statSync(pdf).size, statSync(join(edition, 'index.html')).mtime);
      writeFileSync(join(edition, RECORD_FILE), JSON.stringify(record));
      recorded.push(`${slug}/${code}`);
    }
  }
  return recorded;
}
