// `bulletin site --out <dir>`: the whole public site as static files, at the same paths as the
// served site (index.html in each folder), so it can be hosted on any web server or bucket: the
// home page, each archive and its pages, the issue pages, both feeds, and each issue's PDF and
// images. Search needs the database, so the static pages link to the archive instead, and
// sign-up links are the list address's subscribe mail.

import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { editionsRoot, UNSERVED_FILES } from '../campaigns/published-editions.ts';
import { contentTypeOf } from '../content-types.ts';
import { RECORD_FILE } from '../render/web/record.ts';
import { atomFeed, jsonFeed } from './feeds.ts';
import { paths, scopeOf } from './links.ts';
import { archivePages, renderArchive, renderHome, renderIssue, type SiteOptions } from './pages.ts';
import { publishedIssues, publishedTranslations, type SitePublication } from './published.ts';
import { robots, sitemap } from './sitemap.ts';

export interface ExportOptions {
  dataDir: string;
  out: string;
  publicUrl: string;
  publications: readonly SitePublication[];
}

export interface ExportResult {
  pages: number;
  feeds: number;
  /** PDFs and images copied. */
  files: number;
  issues: number;
}

/** A file of an issue's folder that the served site serves too (and nothing else: no templates). */
function served(path: string): boolean {
  const name = path.split('/').pop() ?? '';
  return (
    !name.startsWith('.') &&
    contentTypeOf(extname(name)) !== undefined &&
    name !== 'index.html' &&
    !UNSERVED_FILES.has(path) &&
    path !== RECORD_FILE
  );
}

async function filesUnder(folder: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(join(folder, prefix), { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(
    entries
      .filter((e) => !e.name.startsWith('.'))
      .map((e) => {
        const path = prefix ? `${prefix}/${e.name}` : e.name;
        if (e.isDirectory()) return filesUnder(folder, path);
        return e.isFile() && served(path) ? [path] : [];
      }),
  );
  return nested.flat();
}

export async function exportSite(options: ExportOptions): Promise<ExportResult> {
  const site: SiteOptions = {
    publicUrl: options.publicUrl,
    mode: 'static',
    publications: options.publications,
  };
  const root = editionsRoot(options.dataDir);
  const published = publishedIssues(root);
  const result: ExportResult = { pages: 0, feeds: 0, files: 0, issues: 0 };
  const write = async (path: string, contents: string) => {
    const file = join(options.out, path.endsWith('/') || path === '' ? `${path}index.html` : path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, contents);
  };

  const all = new Map<string, Awaited<ReturnType<typeof published.of>>>();
  for (const publication of options.publications)
    all.set(publication.slug, await published.of(publication.slug));
  await write(paths.home, renderHome(site, all));
  result.pages++;

  for (const publication of options.publications) {
    // Each language's issues: the default's at /<publication>/, a translation's at /<publication>/<language>/.
    const byLanguage = new Map<string, Awaited<ReturnType<typeof published.of>>>();
    for (const [index, code] of publication.languages.entries()) {
      const issues =
        index === 0 ? (all.get(publication.slug) ?? []) : await published.of(publication.slug, code);
      if (index === 0 || issues.length) byLanguage.set(code, issues);
    }
    const available = [...byLanguage].filter(([, issues]) => issues.length).map(([code]) => code);
    for (const [code, issues] of byLanguage) {
      const language = code === publication.languages[0] ? undefined : code;
      const scope = scopeOf(publication.slug, language);
      for (let page = 1; page <= archivePages(issues.length); page++) {
        const html = renderArchive(site, publication, issues, page, { code, available });
        if (html) {
          await write(paths.archive(scope, page), html);
          result.pages++;
        }
      }
      await write(paths.atom(scope), atomFeed(publication, issues, options.publicUrl, language));
      await write(paths.json(scope), jsonFeed(publication, issues, options.publicUrl, language));
      result.feeds += 2;
      for (const record of issues) {
        const path = paths.issue(scope, record.code);
        const translations = [...byLanguage]
          .filter(([, list]) => list.some((r) => r.code === record.code))
          .map(([other]) => other);
        await write(path, renderIssue(site, publication, issues, record, translations));
        result.pages++;
        result.issues++;
        const folder = join(root, scope, record.code);
        for (const file of await filesUnder(folder)) {
          const target = join(options.out, path, file);
          await mkdir(dirname(target), { recursive: true });
          await copyFile(join(folder, file), target);
          result.files++;
        }
      }
    }
  }
  const translations = await publishedTranslations(published, options.publications);
  await write('sitemap.xml', sitemap(options.publicUrl, options.publications, all, translations));
  await write('robots.txt', robots(options.publicUrl, 'static'));
  return result;
}
