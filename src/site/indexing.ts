// Keeping the search index in line with what is published. Light on purpose: `publish` loads it.

import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { editionsRoot } from '../campaigns/published-editions.ts';
import { pdfFileName } from '../render/replacements.ts';
import { issueRecord, RECORD_FILE } from '../render/web/record.ts';
import type { Db } from '../store/db.ts';
import { scopeOf } from './links.ts';
import { LANGUAGE, publishedIssues, type SitePublication } from './published.ts';
import { forgetUnpublished, indexIssue } from './search.ts';

/** Where the site reads what was published: <dataDir>/editions. */
export function publishedRoot(dataDir: string): string {
  return editionsRoot(dataDir);
}

/**
 * Brings the search index in line with what is published, in every language: every issue's current
 * rendering in, issues no longer published out. `serve` runs it at start; `publish` indexes its
 * own issue. Returns how many issues (of every language) were (re)indexed.
 */
export async function syncSearchIndex(
  db: Db,
  dataDir: string,
  publications: ReadonlyArray<{ slug: string; languages?: readonly string[] }>,
): Promise<number> {
  const published = publishedIssues(publishedRoot(dataDir));
  const codes = new Map<string, string[]>();
  let indexed = 0;
  for (const { slug, languages = [] } of publications)
    for (const translation of [undefined, ...languages.slice(1)]) {
      const issues = await published.of(slug, translation);
      codes.set(
        scopeOf(slug, translation),
        issues.map((r) => r.code),
      );
      for (const record of issues) if (await indexIssue(db, record, translation)) indexed++;
    }
  await forgetUnpublished(db, codes);
  return indexed;
}

/** Indexes one published issue for search, in every language published (after `publish` stored them). */
export async function indexPublishedIssue(
  db: Db,
  dataDir: string,
  publication: string,
  code: string,
): Promise<boolean> {
  const root = publishedRoot(dataDir);
  const published = publishedIssues(root);
  const translations = existsSync(join(root, publication))
    ? readdirSync(join(root, publication)).filter((name) => LANGUAGE.test(name))
    : [];
  let indexed = false;
  for (const translation of [undefined, ...translations]) {
    const record = (await published.of(publication, translation)).find((r) => r.code === code);
    if (record && (await indexIssue(db, record, translation))) indexed = true;
  }
  return indexed;
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
