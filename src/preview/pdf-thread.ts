// The main thread's side of the PDF worker: one render at a time; while one runs, only the latest
// request waits (older ones are superseded by the newer save).

import { Worker } from 'node:worker_threads';
import type { PdfRequest, PdfResponse } from './pdf-worker.ts';

// Compiled to JavaScript, the worker's code sits beside this file. Run from the TypeScript sources
// (tsx, vitest), a worker thread does not inherit the loader: a small entry registers it first.
const ENTRY = import.meta.url.endsWith('.ts')
  ? new URL('./pdf-worker-entry.js', import.meta.url)
  : new URL('./pdf-worker.js', import.meta.url);

/** A render that takes longer than this is stuck (a layout that never ends): stop it, report it. */
const STUCK_MS = 60_000;

export class PdfThread {
  private worker: Worker | undefined;
  private running: PdfRequest | undefined;
  private waiting: PdfRequest | undefined;
  private closed = false;
  private watchdog: NodeJS.Timeout | undefined;

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
    clearTimeout(this.watchdog);
    this.waiting = undefined;
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private start(request: PdfRequest): void {
    this.running = request;
    const worker = this.spawn();
    worker.postMessage(request);
    this.watchdog = setTimeout(() => {
      this.worker = undefined;
      void worker.terminate();
      this.finish({
        generation: request.generation,
        error: `it took more than ${STUCK_MS / 1000} s and was stopped`,
      });
    }, STUCK_MS);
  }

  private finish(response: PdfResponse): void {
    clearTimeout(this.watchdog);
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
    // Only the current worker speaks: one stopped by the watchdog may still say something.
    worker.on('message', (response: PdfResponse) => {
      if (this.worker === worker) this.finish(response);
    });
    // A crash of the worker is one failed PDF, not a dead preview: the next render starts a new one.
    worker.on('error', (err: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      if (this.running) this.finish({ generation: this.running.generation, error: err.message });
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
