// `bulletin site --out <dir>`: the whole public site as static files, at the same paths as the
// served site (index.html in each folder), so it can be hosted on any web server or bucket: the
// home page, each archive and its pages, the issue pages, both feeds, and each issue's PDF and
// images. Search needs the database, so the static pages link to the archive instead, and
// sign-up links are the list address's subscribe mail.

import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { editionsRoot, UNSERVED_FILES } from '../campaigns/publish.ts';
import { contentTypeOf } from '../content-types.ts';
import { RECORD_FILE } from '../render/web/record.ts';
import { atomFeed, jsonFeed } from './feeds.ts';
import { paths } from './links.ts';
import { archivePages, renderArchive, renderHome, renderIssue, type SiteOptions } from './pages.ts';
import { publishedIssues, type SitePublication } from './published.ts';
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
    const issues = all.get(publication.slug) ?? [];
    for (let page = 1; page <= archivePages(issues.length); page++) {
      const html = renderArchive(site, publication, issues, page);
      if (html) {
        await write(paths.archive(publication.slug, page), html);
        result.pages++;
      }
    }
    await write(paths.atom(publication.slug), atomFeed(publication, issues, options.publicUrl));
    await write(paths.json(publication.slug), jsonFeed(publication, issues, options.publicUrl));
    result.feeds += 2;
    for (const record of issues) {
      const path = paths.issue(publication.slug, record.code);
      await write(path, renderIssue(site, publication, issues, record));
      result.pages++;
      result.issues++;
      const folder = join(root, publication.slug, record.code);
      for (const file of await filesUnder(folder)) {
        const target = join(options.out, path, file);
        await mkdir(dirname(target), { recursive: true });
        await copyFile(join(folder, file), target);
        result.files++;
      }
    }
  }
  await write('sitemap.xml', sitemap(options.publicUrl, options.publications, all));
  await write('robots.txt', robots(options.publicUrl, 'static'));
  return result;
}
