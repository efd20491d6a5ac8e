// The PDF is the slowest edition by far (fonts parsed, every word shaped): it renders on a worker
// thread while this one renders the others and, in `publish`, opens the database and Redis.
// The issue model crosses over as a structured clone; only the finished file comes back.
//
// `startPdfThread` can start the thread before the issue is even loaded: it loads pdfkit and warms
// the fonts (a small throwaway document) while the caller parses the issue, so the first render
// does not pay for that on publish's critical path.

import { Worker } from 'node:worker_threads';
import type { Issue } from '../../issue/model.ts';
import type { PdfOptions } from './index.ts';

export interface PdfThread {
  render(issue: Issue, options: PdfOptions): Promise<Buffer>;
  /** Ends the thread when the issue will not be rendered after all (it failed to load). */
  cancel(): void;
}

export function startPdfThread(): PdfThread {
  // Only compiled JavaScript can start a thread by itself; the sources (vitest, tsx) render here.
  if (!import.meta.url.endsWith('.js')) {
    return {
      render: async (issue, options) => (await (await import('./index.ts')).renderPdf(issue, options)).pdf,
      cancel: () => {},
    };
  }
  const worker = new Worker(new URL('./thread-main.js', import.meta.url));
  const result = new Promise<Buffer>((resolve, reject) => {
    worker.once('message', (pdf: Uint8Array) =>
      resolve(Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength)),
    );
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the PDF thread stopped (exit code ${code})`)));
  });
  result.catch(() => {}); // observed by render(); a cancelled thread's end is no failure
  return {
    render(issue, options) {
      worker.postMessage({ issue, options });
      return result;
    },
    cancel: () => void worker.terminate(),
  };
}

export function renderPdfOnThread(issue: Issue, options: PdfOptions): Promise<Buffer> {
  return startPdfThread().render(issue, options);
}
