// The PDF edition, rendered on its own thread: its layout takes a few hundred milliseconds of CPU
// (and the first one seconds, reading the fonts), which must never hold up the email, text and
// web editions of the next save, nor the server.

import { parentPort } from 'node:worker_threads';
import type { Issue } from '../issue/model.ts';
import { renderPdf } from '../render/pdf/index.ts';

export interface PdfRequest {
  generation: number;
  issue: Issue;
  publicUrl: string;
}

export type PdfResponse =
  | { generation: number; pdf: Uint8Array; ms: number }
  | { generation: number; error: string };

parentPort?.on('message', async (request: PdfRequest) => {
  const start = performance.now();
  let response: PdfResponse;
  try {
    const { pdf } = await renderPdf(request.issue, { publicUrl: request.publicUrl });
    response = { generation: request.generation, pdf, ms: performance.now() - start };
  } catch (err) {
    response = { generation: request.generation, error: (err as Error).message };
  }
  parentPort?.postMessage(response);
});
