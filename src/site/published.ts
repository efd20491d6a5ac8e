// What is published: the site records (site.json) that `publish` stored beside each issue's
// editions under <dataDir>/editions/<publication>/<NNN>/. Read from the folder on each request
// (a record is parsed again only when its file changed), so a publish shows without a restart.

import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type IssueRecord, RECORD_FILE, RECORD_VERSION } from '../render/web/record.ts';

/** A publication as the site shows it, from its publication.yml. */
export interface SitePublication {
  slug: string;
  name: string;
  tagline?: string;
  /** The default language's full tag (en-GB). */
  language: string;
  /** Language codes of the editions, the default first. */
  languages: string[];
  listAddress: string;
  colors: { primary: string; accent: string };
  /** False for papers and reports: never "No. 1". */
  numbered: boolean;
  /** Who publishes it: the feeds' author. */
  publisher: string;
}

export const SLUG = /^[a-z0-9][a-z0-9-]*$/;
export const ISSUE_CODE = /^\d{3,}$/;
/** A translation's folder: a language code. */
export const LANGUAGE = /^[a-z]{2,3}$/;

export interface PublishedIssues {
  /** The publication's published issues, newest first; with `language`, that translation's. */
  of(publication: string, language?: string): Promise<IssueRecord[]>;
}

/** Each publication's translations' published issues, by language (those with none left out). */
export async function publishedTranslations(
  published: PublishedIssues,
  publications: readonly Pick<SitePublication, 'slug' | 'languages'>[],
): Promise<Map<string, Map<string, IssueRecord[]>>> {
  const all = new Map<string, Map<string, IssueRecord[]>>();
  for (const { slug, languages } of publications) {
    const byLanguage = new Map<string, IssueRecord[]>();
    for (const language of languages.slice(1)) {
      const records = await published.of(slug, language);
      if (records.length) byLanguage.set(language, records);
    }
    all.set(slug, byLanguage);
  }
  return all;
}

export function publishedIssues(root: string): PublishedIssues {
  const cache = new Map<string, { mtimeMs: number; size: number; record: IssueRecord }>();
  const read = async (path: string): Promise<IssueRecord | undefined> => {
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    const cached = cache.get(path);
    if (cached && cached.mtimeMs === info.mtimeMs && cached.size === info.size) return cached.record;
    try {
      const record = JSON.parse(await readFile(path, 'utf8')) as IssueRecord;
      if (record.version !== RECORD_VERSION) return undefined;
      cache.set(path, { mtimeMs: info.mtimeMs, size: info.size, record });
      return record;
    } catch {
      return undefined; // being written, or damaged: not published as far as the site can tell
    }
  };
  return {
    async of(publication, language) {
      if (!SLUG.test(publication) || (language !== undefined && !LANGUAGE.test(language))) return [];
      const folder = language ? join(root, publication, language) : join(root, publication);
      const codes = (await readdir(folder).catch(() => [] as string[])).filter((c) => ISSUE_CODE.test(c));
      const records = await Promise.all(codes.map((code) => read(join(folder, code, RECORD_FILE))));
      return records
        .filter((r): r is IssueRecord => r !== undefined && r.publication.slug === publication)
        .sort((a, b) => b.number - a.number || b.code.localeCompare(a.code));
    },
  };
}
