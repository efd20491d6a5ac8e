// The PDF thread, as `publish`, `build` and `preview` use it: a real worker thread (from the sources,
// through the tsx entry), renders in the order asked, failures that stay with their render.
import { afterAll, describe, expect, it } from 'vitest';
import { loadIssue } from '../../../src/issue/load.ts';
import type { Issue } from '../../../src/issue/model.ts';
import { PdfThread, renderPdfOnThread } from '../../../src/render/pdf/thread.ts';

const options = { publicUrl: 'https://bulletin.example.org' };

function load(path: string): Issue {
  const { issue } = loadIssue(path);
  if (!issue) throw new Error(`${path} does not load`);
  return issue;
}

/** The /Title of a PDF's document information (pdfkit writes it as a literal string, uncompressed). */
function title(pdf: Buffer): string | undefined {
  return /\/Title \(([^)]*)\)/.exec(pdf.toString('latin1'))?.[1];
}

const threads: PdfThread[] = [];
afterAll(() => Promise.all(threads.map((t) => t.close())));

describe('PdfThread', () => {
  it('renders the issues asked for on one thread, one after the other, in order', async () => {
    const thread = new PdfThread().start();
    threads.push(thread);
    const finished: string[] = [];
    const asked = [load('issues/global-eye/005.md'), load('issues/trafficking-in-migrants/025.md')];
    const renders = asked.map((issue) =>
      thread.render(issue, options).then((rendered) => {
        finished.push(issue.code);
        return rendered;
      }),
    );
    expect(thread.busy).toBe(true);
    const [first, second] = await Promise.all(renders);
    expect(finished).toEqual(['005', '025']);
    for (const rendered of [first, second]) {
      expect(rendered?.pdf.subarray(0, 5).toString()).toBe('%PDF-');
      expect(rendered?.ms).toBeGreaterThan(0);
    }
    expect(first && title(first.pdf)).toContain('Straddling the Border');
    expect(second && title(second.pdf)).not.toBe(first && title(first.pdf));
    expect(thread.busy).toBe(false);
  }, 120_000);

  it('fails a render that cannot be made, and renders the next one on the same thread', async () => {
    const thread = new PdfThread();
    threads.push(thread);
    const issue = load('issues/global-eye/005.md');
    const broken = { ...issue, sections: undefined } as unknown as Issue;
    await expect(thread.render(broken, options)).rejects.toThrow();
    expect(title((await thread.render(issue, options)).pdf)).toContain('Straddling the Border');
  }, 120_000);

  it('stops a render that runs past its limit, and starts a new thread for the next', async () => {
    const thread = new PdfThread({ stuckMs: 1 });
    threads.push(thread);
    const issue = load('issues/global-eye/005.md');
    const [first, next] = await Promise.allSettled([
      thread.render(issue, options),
      thread.render(issue, options),
    ]);
    expect(first).toMatchObject({
      status: 'rejected',
      reason: { message: /took more than 0.001 s and was stopped/ },
    });
    expect(next).toMatchObject({ status: 'rejected', reason: { message: /was stopped/ } });
    expect(thread.busy).toBe(false);
  }, 60_000);

  it('renders one issue on a thread of its own that ends with it', async () => {
    const { pdf } = await renderPdfOnThread(load('issues/global-eye/005.md'), options);
    expect(pdf.subarray(-6).toString()).toMatch(/%%EOF\n?$/);
  }, 120_000);
});
