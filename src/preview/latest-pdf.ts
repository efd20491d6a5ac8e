// The preview's policy over the PDF thread (src/render/pdf/thread.ts): one render at a time, and of
// the saves made meanwhile only the latest waits; older ones are superseded. A render that runs too
// long is stopped by the thread and shown as a failed PDF; the next save renders on a new thread.

import type { Issue } from '../issue/model.ts';
import { PdfThread } from '../render/pdf/thread.ts';

/** A render taking longer is stuck (a layout that never ends): stop it, report it. */
const STUCK_MS = 60_000;

export interface PdfRequest {
  generation: number;
  issue: Issue;
  publicUrl: string;
}

export type PdfResponse =
  | { generation: number; pdf: Buffer; ms: number }
  | { generation: number; error: string };

export class LatestPdf {
  private readonly thread = new PdfThread({ stuckMs: STUCK_MS }).start();
  private running = false;
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
    return this.running;
  }

  close(): Promise<void> {
    this.closed = true;
    this.waiting = undefined;
    return this.thread.close();
  }

  private start({ generation, issue, publicUrl }: PdfRequest): void {
    this.running = true;
    this.thread.render(issue, { publicUrl }).then(
      ({ pdf, ms }) => this.finish({ generation, pdf, ms }),
      (err: Error) => this.finish({ generation, error: err.message }),
    );
  }

  private finish(response: PdfResponse): void {
    this.running = false;
    if (this.closed) return;
    const next = this.waiting;
    this.waiting = undefined;
    if (next) this.start(next);
    this.onDone(response);
  }
}
