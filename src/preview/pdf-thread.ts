// The main thread's side of the PDF worker: one render at a time; while one runs, only the latest
// request waits (older ones are superseded by the newer save).

import { Worker } from 'node:worker_threads';
import type { PdfRequest, PdfResponse } from './pdf-worker.ts';

// Compiled to JavaScript, the worker's code sits beside this file. Run from the TypeScript sources
// (tsx, vitest), a worker thread does not inherit the loader: a small entry registers it first.
const ENTRY = import.meta.url.endsWith('.ts')
  ? new URL('./pdf-worker-entry.js', import.meta.url)
  : new URL('./pdf-worker.js', import.meta.url);

export class PdfThread {
  private worker: Worker | undefined;
  private running: PdfRequest | undefined;
  private waiting: PdfRequest | undefined;
  private closed = false;

  constructor(private readonly onDone: (response: PdfResponse) => void) {}

  render(request: PdfRequest): void {
    if (this.closed) return;
    if (this.running) this.waiting = request;
    else this.start(request);
  }

  /** Whether a render is running (and maybe another waiting). */
  get busy(): boolean {
    return this.running !== undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.waiting = undefined;
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private start(request: PdfRequest): void {
    this.running = request;
    this.spawn().postMessage(request);
  }

  private finish(response: PdfResponse): void {
    this.running = undefined;
    if (this.closed) return;
    const next = this.waiting;
    this.waiting = undefined;
    if (next) this.start(next);
    this.onDone(response);
  }

  private spawn(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(ENTRY);
    worker.on('message', (response: PdfResponse) => this.finish(response));
    // A crash of the worker is one failed PDF, not a dead preview: the next render starts a new one.
    worker.on('error', (err: Error) => {
      if (this.worker === worker) this.worker = undefined;
      const generation = this.running?.generation ?? 0;
      if (this.running) this.finish({ generation, error: err.message });
    });
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      if (this.running) this.finish({ generation: this.running.generation, error: `exited with ${code}` });
    });
    this.worker = worker;
    return worker;
  }
}
