// Published issues for the site's tests, as `publish` stores them under <dataDir>/editions: the two
// samples rendered for real (PDF included), and for pagination ten more issues of The Global Eye
// made from 005's folder with their own number, title, date and PDF name.

import { cpSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { editionsRoot } from '../../src/campaigns/publish.ts';
import { loadIssue } from '../../src/issue/load.ts';
import type { Issue } from '../../src/issue/model.ts';
import { editionFolder, renderEditions, writeEditionFiles } from '../../src/render/editions.ts';
import type { IssueRecord } from '../../src/render/web/record.ts';
import { RECORD_FILE } from '../../src/render/web/record.ts';
import { type SitePublication, sitePublication } from '../../src/site/index.ts';
import { loadLists } from '../../src/subscribers/lists.ts';

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
  return loadLists('issues').lists.map((list) => sitePublication(list.publication));
}
