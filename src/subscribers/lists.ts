// The lists this installation runs: one per publication folder under issues/, at its list_address.
// What a list is, is src/list's; this is where publications become lists.

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Publication } from '../issue/model.ts';
import { loadPublication } from '../issue/publication.ts';
import type { List } from '../list/list.ts';
import { error, type Problem } from '../problems.ts';

/** The lists, and the publications they were made from (in the same order, e.g. for the site). */
export function loadLists(issuesDir: string): {
  lists: List[];
  publications: Publication[];
  problems: Problem[];
} {
  const problems: Problem[] = [];
  const lists: List[] = [];
  const publications: Publication[] = [];
  if (!existsSync(issuesDir)) {
    return {
      lists,
      publications,
      problems: [
        error('no-issues-folder', `No ${issuesDir} folder.`, 'Run from the project folder or pass --issues.'),
      ],
    };
  }
  for (const entry of readdirSync(issuesDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const folder = join(issuesDir, entry.name);
    if (!existsSync(join(folder, 'publication.yml'))) continue;
    const loaded = loadPublication(folder);
    problems.push(...loaded.problems.filter((p) => p.severity === 'error'));
    if (!loaded.publication) continue;
    const issues = readdirSync(folder)
      .filter((f) => /^\d{3,}\.md$/.test(f))
      .sort();
    publications.push(loaded.publication);
    lists.push({
      slug: loaded.publication.slug,
      name: loaded.publication.name,
      address: loaded.publication.listAddress,
      language: loaded.publication.language,
      // Seam: the translations branch adds `languages` to the publication model.
      languages: (loaded.publication as { languages?: readonly string[] }).languages,
      colors: loaded.publication.colors,
      latestIssue: issues.at(-1)?.replace(/\.md$/, ''),
    });
  }
  const seen = new Map<string, string>();
  for (const list of lists) {
    const other = seen.get(list.address);
    if (other) {
      problems.push(
        error(
          'duplicate-list-address',
          `${list.slug} and ${other} both use ${list.address}.`,
          'Give each publication its own list_address.',
        ),
      );
    }
    seen.set(list.address, list.slug);
  }
  return { lists, publications, problems };
}

/** The list named by --publication, or the only one when there is just one. */
export function pickList(lists: List[], slug: string | undefined): List | Problem {
  if (slug) {
    return (
      lists.find((l) => l.slug === slug) ??
      error(
        'unknown-publication',
        `No publication "${slug}".`,
        `Use one of: ${lists.map((l) => l.slug).join(', ')}.`,
      )
    );
  }
  if (lists.length === 1) return lists[0] as List;
  return error(
    'which-publication',
    lists.length ? 'There are several publications.' : 'There are no publications.',
    lists.length
      ? `Pass --publication with one of: ${lists.map((l) => l.slug).join(', ')}.`
      : 'Create issues/<slug>/publication.yml.',
  );
}
