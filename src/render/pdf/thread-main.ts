// The worker thread's side of thread.ts: render, send the file back, end.
import { parentPort, workerData } from 'node:worker_threads';
import type { Issue } from '../../issue/model.ts';
import { type PdfOptions, renderPdf } from './index.ts';

const { issue, options } = workerData as { issue: Issue; options: PdfOptions };
const { pdf } = await renderPdf(issue, options);
parentPort?.postMessage(new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength));
