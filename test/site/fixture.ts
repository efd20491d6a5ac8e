// Published issues for the site's tests, as `publish` stores them under <dataDir>/editions: the two
// samples rendered for real (PDF included), and for pagination ten more issues of The Global Eye
// made from 005's folder with their own number, title, date and PDF name.

import { cpSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { editionsRoot } from '../../src/campaigns/published-editions.ts';
import { loadIssue } from '../../src/issue/load.ts';
import type { Issue } from '../../src/issue/model.ts';
import { editionFolder, writeEditionFiles } from '../../src/render/edition-files.ts';
import { renderEditions } from '../../src/render/editions.ts';
import type { IssueRecord } from '../../src/render/web/record.ts';
import { RECORD_FILE } from '../../src/render/web/record.ts';
import {
  publishedIssues,
  type SitePublication,
  sitePublication,
  siteRoutes,
  syncSearchIndex,
} from '../../src/site/index.ts';
import { loadLists } from '../../src/subscribers/lists.ts';
import { listPages } from '../../src/web/list-pages.ts';
import { tempDataDir } from '../support/data-dir.ts';
import { type LiveServer, startHttp } from '../support/http.ts';
import { type ListFixture, listFixture } from '../support/list-fixture.ts';

export const PUBLIC_URL = 'https://news.example.org';

export function load(file: string): Issue {
  const { issue, problems } = loadIssue(file);
  if (!issue) throw new Error(`${file} does not load: ${JSON.stringify(problems)}`);
  return issue;
}

export async function publish(dataDir: string, issue: Issue): Promise<string> {
  const editions = await renderEditions(issue, { publicUrl: PUBLIC_URL });
  const folder = editionFolder(editionsRoot(dataDir), issue);
  writeEditionFiles(folder, editions.files);
  return folder;
}

/** Issue `number` of The Global Eye, made from 005's published folder. */
export function cloneIssue(dataDir: string, number: number): string {
  const code = String(number).padStart(3, '0');
  const root = join(editionsRoot(dataDir), 'global-eye');
  const folder = join(root, code);
  cpSync(join(root, '005'), folder, { recursive: true });
  const record = JSON.parse(readFileSync(join(folder, RECORD_FILE), 'utf8')) as IssueRecord;
  const pdf = `global-eye-${code}.pdf`;
  renameSync(join(folder, record.pdf.name), join(folder, pdf));
  const year = 2000 + number;
  const changed: IssueRecord = {
    ...record,
    number,
    code,
    title: `Theme of issue ${number}`,
    date: `${year}-03-01`,
    dateLabel: `March ${year}`,
    pdf: { ...record.pdf, name: pdf },
    view: { ...record.view, number, code, title: `Theme of issue ${number}`, pdfName: pdf },
  };
  writeFileSync(join(folder, RECORD_FILE), JSON.stringify(changed));
  return folder;
}

export function publications(): SitePublication[] {
  return loadLists('issues').publications.map(sitePublication);
}

/** Both samples, and The Global Eye's issues 1–12 (all but 005 copies of it). */
export async function publishSamples(dataDir: string): Promise<void> {
  await publish(dataDir, load('issues/global-eye/005.md'));
  await publish(dataDir, load('issues/trafficking-in-migrants/025.md'));
  for (let n = 1; n <= 12; n++) if (n !== 5) cloneIssue(dataDir, n);
}

export interface SiteServer {
  data: { dir: string; remove(): void };
  fixture: ListFixture;
  server: LiveServer;
  sites: SitePublication[];
  close(): Promise<void>;
}

/**
 * `serve`'s web side over a real port: the sign-up pages and the site, on a data dir where the two
 * samples are published and The Global Eye has twelve issues (1–12, 005 rendered for real).
 */
export async function startSite(): Promise<SiteServer> {
  const data = tempDataDir();
  await publishSamples(data.dir);
  const fixture = await listFixture();
  const sites = publications();
  await syncSearchIndex(fixture.db, data.dir, sites);
  const server = await startHttp({
    routes: [
      listPages(fixture.actions),
      siteRoutes({
        dataDir: data.dir,
        publicUrl: PUBLIC_URL,
        publications: sites,
        published: publishedIssues(editionsRoot(data.dir)),
        db: fixture.db,
      }),
    ],
    logger: false,
  });
  return {
    data,
    fixture,
    server,
    sites,
    async close() {
      await server.close();
      await fixture.close();
      data.remove();
    },
  };
}
