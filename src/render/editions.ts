// src/render: the Issue model made into its editions (email/, text/, pdf/, web/), with the
// per-issue and per-recipient values in one replacement table (replacements.ts).
//
// Every edition of one issue, rendered from one loaded model, as the files `build` writes and
// `publish` stores.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type Issue, imagesOf } from '../issue/model.ts';
import { type EmailEdition, renderEmail } from './email/index.ts';
import { renderPdfOnThread } from './pdf/thread.ts';
import { editionPath, pdfFileName, translationLanguage } from './replacements.ts';
import { renderText } from './text/index.ts';
import { renderWeb } from './web/index.ts';
import { type IssueRecord, issueRecord, keepAnchors, RECORD_FILE } from './web/record.ts';

export interface EditionFile {
  /** Path inside the issue's folder: email.html, global-eye-005.pdf … */
  name: string;
  contents: string | Buffer;
  /** Milliseconds it took to render. */
  ms: number;
}

export interface Editions {
  email: EmailEdition;
  text: string;
  pdf: Buffer;
  /** Everything to write into the issue's folder, the above included. */
  files: EditionFile[];
}

export interface RenderOptions {
  publicUrl: string;
  /** The PDF, already rendering (`publish` starts it before loading the rest of its code). */
  pdf?: Promise<Buffer>;
}

async function timed<T>(render: () => T | Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await render();
  return { value, ms: performance.now() - start };
}

export async function renderEditions(issue: Issue, options: RenderOptions): Promise<Editions> {
  // First and on its own thread: the PDF takes longer than the rest together.
  const rendering = timed(
    async () => options.pdf ?? (await renderPdfOnThread(issue, { publicUrl: options.publicUrl })).pdf,
  );
  rendering.catch(() => {}); // awaited below; an email error first must not leave it unhandled
  const email = await timed(() => renderEmail(issue));
  const text = await timed(() => renderText(issue));
  const web = await timed(() => renderWeb(issue));
  const pdf = await rendering;
  const images = [...new Map(imagesOf(issue).map((image) => [image.path, image])).values()];
  return {
    email: email.value,
    text: text.value,
    pdf: pdf.value,
    files: [
      { name: 'email.html', contents: email.value.html, ms: email.ms },
      { name: 'email.txt', contents: text.value, ms: text.ms },
      { name: 'index.html', contents: web.value, ms: web.ms },
      { name: pdfFileName(issue.publication.slug, issue.code), contents: pdf.value, ms: pdf.ms },
      {
        name: RECORD_FILE,
        contents: JSON.stringify(issueRecord(issue, pdf.value.length, new Date())),
        ms: 0,
      },
      // The web edition and the email's <img> tags load them from beside the page.
      ...images.map((image) => ({ name: image.path, contents: readFileSync(image.file), ms: 0 })),
    ],
  };
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
