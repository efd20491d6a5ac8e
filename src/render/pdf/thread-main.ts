// The worker thread's side of thread.ts: warm up while the first issue is on its way, then render
// each issue asked for, in turn, and send the file back.
import { parentPort } from 'node:worker_threads';
import { renderPdf, warmUp } from './index.ts';
import type { PdfReply, PdfRequest } from './thread.ts';

const warm = warmUp();
let turn: Promise<void> = Promise.resolve();

parentPort?.on('message', (request: PdfRequest) => {
  turn = turn.then(async () => {
    await warm.catch(() => {}); // a failed warm-up is the render's to report
    const start = performance.now();
    let reply: PdfReply;
    try {
      const { pdf } = await renderPdf(request.issue, request.options);
      const bytes = new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength);
      reply = { id: request.id, pdf: bytes, ms: performance.now() - start };
    } catch (err) {
      reply = { id: request.id, error: (err as Error).message };
    }
    parentPort?.postMessage(reply);
  });
});
