// The files of an issue's editions, and where they are written: light on purpose (no renderer),
// for the processes that only store or serve editions (a worker starting a scheduled campaign).

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Issue } from '../issue/model.ts';
import { editionPath, translationLanguage } from './replacements.ts';
import { type IssueRecord, keepAnchors, RECORD_FILE } from './web/record.ts';

export interface EditionFile {
  /** Path inside the issue's folder: email.html, global-eye-005.pdf … */
  name: string;
  contents: string | Buffer;
  /** Milliseconds it took to render. */
  ms: number;
}

/** <root>/<publication>/<NNN>, a translation's <root>/<publication>/<language>/<NNN>: where `build` writes an issue's editions. */
export function editionFolder(root: string, issue: Issue): string {
  return join(root, editionPath(issue.publication.slug, issue.code, translationLanguage(issue)));
}

export function writeEditionFiles(folder: string, files: readonly EditionFile[]): string[] {
  return files.map((file) => {
    const path = join(folder, file.name);
    mkdirSync(dirname(path), { recursive: true });
    // The site's record of an issue published before keeps the anchors its articles had.
    writeFileSync(path, file.name === RECORD_FILE ? withEarlierAnchors(path, file.contents) : file.contents);
    return path;
  });
}

function withEarlierAnchors(path: string, contents: string | Buffer): string {
  const next = JSON.parse(String(contents)) as IssueRecord;
  let previous: IssueRecord | undefined;
  try {
    previous = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as IssueRecord) : undefined;
  } catch {
    previous = undefined; // a damaged record: the new one stands alone
  }
  return JSON.stringify(keepAnchors(previous, next));
}
