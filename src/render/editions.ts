// src/render: the Issue model made into its editions (email/, text/, pdf/, web/), with the
// per-issue and per-recipient values in one replacement table (replacements.ts).
//
// Every edition of one issue, rendered from one loaded model, as the files `build` writes and
// `publish` stores (their files and folders: edition-files.ts).

import { readFileSync } from 'node:fs';
import { type Issue, imagesOf } from '../issue/model.ts';
import type { EditionFile } from './edition-files.ts';
import { type EmailEdition, renderEmail } from './email/index.ts';
import { renderPdfOnThread } from './pdf/thread.ts';
import { pdfFileName } from './replacements.ts';
import { renderText } from './text/index.ts';
import { renderWeb } from './web/index.ts';
import { issueRecord, RECORD_FILE } from './web/record.ts';

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
