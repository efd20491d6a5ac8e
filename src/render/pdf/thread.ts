// The PDF is the slowest edition by far (fonts parsed, every word shaped): it renders on a worker
// thread while this one renders the others and, in `publish`, opens the database and Redis.
// The issue model crosses over as a structured clone; only the finished file comes back.

import { Worker } from 'node:worker_threads';
import type { Issue } from '../../issue/model.ts';
import type { PdfOptions } from './index.ts';

export async function renderPdfOnThread(issue: Issue, options: PdfOptions): Promise<Buffer> {
  // Only compiled JavaScript can start a thread by itself; the sources (vitest, tsx) render here.
  if (!import.meta.url.endsWith('.js')) {
    const { renderPdf } = await import('./index.ts');
    return (await renderPdf(issue, options)).pdf;
  }
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./thread-main.js', import.meta.url), {
      workerData: { issue, options },
    });
    worker.once('message', (pdf: Uint8Array) =>
      resolve(Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength)),
    );
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the PDF thread stopped (exit code ${code})`)));
  });
}
