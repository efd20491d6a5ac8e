// The PDF is the slowest edition by far (fonts parsed, every word shaped): it renders on a worker
// thread, so that `publish` opens the database and Redis meanwhile and `preview` keeps serving and
// building the other editions. The issue model crosses over as a structured clone; only the finished
// file comes back. The one thread implementation: `publish` and `build` start it for one render,
// `preview` keeps it for every save (with its own supersede policy on top, src/preview/latest-pdf.ts).
//
// The thread warms up as it starts (pdfkit loaded, the fonts parsed on a throwaway document), so a
// thread started before the issue is even loaded renders it as a warm process would. Renders run
// one at a time, in order. A render that crashes the thread or, with `stuckMs`, runs too long
// (a layout that never ends) fails alone: the next one starts a new thread. While idle the thread
// does not keep the process alive.

import { Worker } from 'node:worker_threads';
import type { Issue } from '../../issue/model.ts';
import type { PdfOptions } from './index.ts';

/** What crosses to the thread and back (thread-main.ts is the other side). */
export interface PdfRequest {
  id: number;
  issue: Issue;
  options: PdfOptions;
}

export type PdfReply = { id: number; pdf: Uint8Array; ms: number } | { id: number; error: string };

export interface RenderedPdf {
  pdf: Buffer;
  /** Milliseconds the render took on the thread (not counting the wait for it). */
  ms: number;
}

export interface PdfThreadOptions {
  /** A render taking longer than this is stopped, with its thread, and fails. No limit by default. */
  stuckMs?: number;
}

// Compiled to JavaScript, the thread's code sits beside this file. Run from the TypeScript sources
// (tsx, vitest), a worker thread does not inherit the loader: a small entry registers it first.
const ENTRY = import.meta.url.endsWith('.ts')
  ? new URL('./thread-entry.js', import.meta.url)
  : new URL('./thread-main.js', import.meta.url);

interface Job extends PdfRequest {
  resolve(rendered: RenderedPdf): void;
  reject(err: Error): void;
}

export class PdfThread {
  private worker: Worker | undefined;
  private readonly queue: Job[] = [];
  private current: Job | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private lastId = 0;
  private closed = false;

  constructor(private readonly options: PdfThreadOptions = {}) {}

  /** Starts the thread now, to warm up while the caller does other work. */
  start(): this {
    if (!this.closed) this.spawn();
    return this;
  }

  render(issue: Issue, options: PdfOptions): Promise<RenderedPdf> {
    if (this.closed) return Promise.reject(new Error('the PDF thread is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: ++this.lastId, issue, options, resolve, reject });
      this.next();
    });
  }

  /** Whether a render is running or waiting. */
  get busy(): boolean {
    return this.current !== undefined || this.queue.length > 0;
  }

  /** Stops the thread; renders not finished fail. */
  async close(): Promise<void> {
    this.closed = true;
    const stopped = new Error('the PDF thread was closed');
    for (const job of this.queue.splice(0)) job.reject(stopped);
    if (this.current) this.settle({ id: this.current.id, error: stopped.message });
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private next(): void {
    if (this.current || this.closed) return;
    const job = this.queue.shift();
    if (!job) return;
    this.current = job;
    const worker = this.spawn();
    worker.ref();
    worker.postMessage({ id: job.id, issue: job.issue, options: job.options } satisfies PdfRequest);
    if (this.options.stuckMs !== undefined) {
      const stuckMs = this.options.stuckMs;
      this.watchdog = setTimeout(() => {
        this.worker = undefined;
        void worker.terminate();
        this.settle({ id: job.id, error: `it took more than ${stuckMs / 1000} s and was stopped` });
      }, stuckMs);
    }
  }

  private settle(reply: PdfReply): void {
    const job = this.current;
    if (!job || job.id !== reply.id) return;
    clearTimeout(this.watchdog);
    this.current = undefined;
    if ('error' in reply) job.reject(new Error(reply.error));
    else
      job.resolve({
        pdf: Buffer.from(reply.pdf.buffer, reply.pdf.byteOffset, reply.pdf.byteLength),
        ms: reply.ms,
      });
    if (this.queue.length === 0) this.worker?.unref();
    this.next();
  }

  private spawn(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(ENTRY);
    worker.unref(); // warming up, nothing asked of it yet
    // Only the current worker speaks: one stopped by the watchdog may still say something.
    worker.on('message', (reply: PdfReply) => {
      if (this.worker === worker) this.settle(reply);
    });
    // A crash is one failed PDF, not a dead thread for good: the next render starts a new one.
    const lost = (reason: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      if (this.current) this.settle({ id: this.current.id, error: reason });
    };
    worker.on('error', (err: Error) => lost(err.message));
    worker.on('exit', (code) => lost(`the PDF thread stopped (exit code ${code})`));
    this.worker = worker;
    return worker;
  }
}

/** Renders one issue on a thread of its own, which ends with it. */
export async function renderPdfOnThread(issue: Issue, options: PdfOptions): Promise<RenderedPdf> {
  const thread = new PdfThread();
  try {
    return await thread.render(issue, options);
  } finally {
    await thread.close();
  }
}
