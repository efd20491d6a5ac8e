// Builds an issue's editions for the preview, again on every save, and remembers the last good
// build: a file with problems reports them and keeps the previous editions on show. The email,
// text and web editions are built first, on this thread; the PDF follows on its own thread.

import { relative } from 'node:path';
import { type Clock, systemClock } from '../clock.ts';
import { loadIssue } from '../issue/load.ts';
import { type Issue, imagesOf } from '../issue/model.ts';
import { BulletinError, error, formatProblem, hasErrors, type Problem, problem } from '../problems.ts';
import { forgetEmailTemplates, renderEmail } from '../render/email/index.ts';
import { GMAIL_CLIP_BYTES } from '../render/email/size.ts';
import { pdfFileName } from '../render/replacements.ts';
import { renderText } from '../render/text/index.ts';
import { forgetWebTemplate, renderWeb } from '../render/web/index.ts';
import { LatestPdf, type PdfResponse } from './latest-pdf.ts';

/** A problem as the page shows it: where (relative to the working folder), what, and how to fix. */
export interface ShownProblem {
  severity: Problem['severity'];
  code: string;
  where?: string;
  message: string;
  hint?: string;
}

/** What the page needs to know; sent to it on every change. */
export interface PreviewState {
  file: string;
  /** Counts build attempts, good or not. */
  attempt: number;
  /** The editions on show (email, text, web), if any build has succeeded. */
  editions?: { generation: number; title: string; builtAt: string; ms: number };
  pdf?: { generation: number; builtAt: string; ms: number };
  /** A newer PDF is being made. */
  pdfPending: boolean;
  /** Problems of the latest attempt: with errors, the editions on show are an older, good build. */
  problems: ShownProblem[];
}

export interface Editions {
  /** With %%placeholders%%, filled per request. */
  html: string;
  text: string;
  web: string;
  pdfName: string;
  /** Image path as the editions write it (images/x.png) → file on disk. */
  images: Map<string, string>;
}

export interface BuilderOptions {
  file: string;
  /** Base URL the PDF prints for the web edition: what the published PDF will say. */
  publicUrl: string;
  log?(line: string): void;
  /** Stamps the builds and the log lines; the system clock when not given. */
  clock?: Clock;
}

export class PreviewBuilder {
  private attempt = 0;
  private problems: ShownProblem[] = [];
  private shown: PreviewState['editions'];
  private pdfShown: PreviewState['pdf'];
  private current: Editions | undefined;
  private pdfBytes: Buffer | undefined;
  private building: Promise<void> | undefined;
  private again = false;
  private templatesChanged = false;
  private readonly listeners = new Set<(state: PreviewState) => void>();
  private readonly pdf: LatestPdf;
  private readonly clock: Clock;

  constructor(private readonly options: BuilderOptions) {
    this.clock = options.clock ?? systemClock;
    this.pdf = new LatestPdf((response) => this.pdfDone(response));
  }

  get editions(): Editions | undefined {
    return this.current;
  }

  get pdfFile(): Buffer | undefined {
    return this.pdfBytes;
  }

  state(): PreviewState {
    return {
      file: this.display(this.options.file),
      attempt: this.attempt,
      editions: this.shown,
      pdf: this.pdfShown,
      pdfPending: this.pdf.busy,
      problems: this.problems,
    };
  }

  onChange(listener: (state: PreviewState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Templates are compiled once per process; after a template is saved they are read again. */
  templatesSaved(): void {
    this.templatesChanged = true;
  }

  /** Builds now, or right after the build in progress; resolves when the editions are built. */
  rebuild(): Promise<void> {
    if (this.building) {
      this.again = true;
      return this.building;
    }
    this.building = (async () => {
      do {
        this.again = false;
        await this.build();
      } while (this.again);
      this.building = undefined;
    })();
    return this.building;
  }

  close(): Promise<void> {
    this.listeners.clear();
    return this.pdf.close();
  }

  private async build(): Promise<void> {
    const start = performance.now();
    const attempt = ++this.attempt;
    if (this.templatesChanged) {
      this.templatesChanged = false;
      forgetEmailTemplates();
      forgetWebTemplate();
    }
    const problems: Problem[] = [];
    let built: { issue: Issue; editions: Editions } | undefined;
    try {
      const loaded = loadIssue(this.options.file);
      problems.push(...loaded.problems);
      if (loaded.issue && !hasErrors(loaded.problems)) {
        const email = await renderEmail(loaded.issue);
        if (email.bytes > GMAIL_CLIP_BYTES) problems.push(clipWarning(email.bytes, this.options.file));
        built = { issue: loaded.issue, editions: renderedEditions(loaded.issue, email.html) };
      }
    } catch (err) {
      problems.push(...problemsOf(err, this.options.file));
    }
    const ms = performance.now() - start;
    this.problems = problems.map((p) => this.shownProblem(p));
    if (built) {
      this.current = built.editions;
      this.shown = {
        generation: attempt,
        title: built.issue.title,
        builtAt: this.clock.date().toISOString(),
        ms,
      };
      // After the other editions are out, so that it never holds them up.
      this.pdf.render({ generation: attempt, issue: built.issue, publicUrl: this.options.publicUrl });
    }
    this.report(built ? `editions built in ${ms.toFixed(0)} ms` : 'not built', problems);
    this.publish();
  }

  private pdfDone(response: PdfResponse): void {
    // A render of an older save that finishes after a newer save was built speaks for a file that
    // is gone: its failure is not the page's problem any more.
    if ('error' in response && response.generation < (this.shown?.generation ?? 0)) return;
    if ('error' in response) {
      const problem = error(
        'pdf',
        `The PDF edition could not be made: ${response.error}`,
        'The other editions are up to date; fix the cause and save again.',
        { file: this.options.file },
      );
      this.problems = [...this.problems, this.shownProblem(problem)];
      this.report('PDF failed', [problem]);
    } else {
      // A PDF made again clears the failure of an earlier one.
      this.problems = this.problems.filter((p) => p.code !== 'pdf');
      this.pdfBytes = response.pdf;
      this.pdfShown = {
        generation: response.generation,
        builtAt: this.clock.date().toISOString(),
        ms: response.ms,
      };
      this.report(`PDF built in ${response.ms.toFixed(0)} ms`, []);
    }
    this.publish();
  }

  private publish(): void {
    const state = this.state();
    for (const listener of this.listeners) listener(state);
  }

  private report(what: string, problems: Problem[]): void {
    if (!this.options.log) return;
    const time = this.clock.date().toTimeString().slice(0, 8);
    const errors = problems.filter((p) => p.severity === 'error').length;
    const counts = problems.length
      ? ` · ${errors} error${errors === 1 ? '' : 's'}, ${problems.length - errors} warning${problems.length - errors === 1 ? '' : 's'}`
      : '';
    this.options.log(`${time} ${this.display(this.options.file)}: ${what}${counts}`);
    for (const problem of problems) this.options.log(`  ${formatProblem(problem)}`);
  }

  private shownProblem(problem: Problem): ShownProblem {
    const at = problem.location;
    return {
      severity: problem.severity,
      code: problem.code,
      where: at && `${this.display(at.file)}${at.line ? `:${at.line}:${at.column ?? 1}` : ''}`,
      message: problem.message,
      hint: problem.hint,
    };
  }

  private display(file: string): string {
    const path = relative(process.cwd(), file);
    return path && !path.startsWith('..') ? path : file;
  }
}

function renderedEditions(issue: Issue, html: string): Editions {
  const images = new Map<string, string>();
  for (const image of imagesOf(issue)) images.set(image.path, image.file);
  return {
    html,
    text: renderText(issue),
    web: renderWeb(issue),
    pdfName: pdfFileName(issue.publication.slug, issue.code),
    images,
  };
}

function clipWarning(bytes: number, file: string): Problem {
  return problem('email-size', { bytes, limit: GMAIL_CLIP_BYTES, estimated: false }, { file });
}

/** Whatever a build throws becomes problems on the page: the preview never stops on a bad file. */
function problemsOf(err: unknown, file: string): Problem[] {
  if (err instanceof BulletinError) return err.problems;
  const e = (err instanceof Error ? err : new Error(String(err))) as NodeJS.ErrnoException;
  if (e.code === 'EACCES' || e.code === 'EPERM' || e.code === 'EISDIR' || e.code === 'ENOENT') {
    return [
      error(
        'unreadable',
        `A file of the issue cannot be read (${e.code}): ${e.message}`,
        'Check that it exists and that you may read it; the preview builds again when it changes.',
        { file },
      ),
    ];
  }
  return [
    error(
      'render',
      `The editions could not be rendered: ${e.message}`,
      'A template in templates/ or the issue produced something the renderers cannot handle; fix it and save again.',
      { file },
    ),
  ];
}
