// The worker thread's side of thread.ts: warm up while the issue is on its way, render it, send
// the file back, end.
import { parentPort } from 'node:worker_threads';
import type { Issue } from '../../issue/model.ts';
import { type PdfOptions, renderPdf, warmUp } from './index.ts';

const job = new Promise<{ issue: Issue; options: PdfOptions }>((resolve) =>
  parentPort?.once('message', resolve),
);
await warmUp();
const { issue, options } = await job;
const { pdf } = await renderPdf(issue, options);
parentPort?.postMessage(new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength));
