// The preview's PDF policy: one render at a time, and of the saves made meanwhile only the latest.
import { afterAll, describe, expect, it } from 'vitest';
import { loadIssue } from '../../src/issue/load.ts';
import { LatestPdf, type PdfResponse } from '../../src/preview/latest-pdf.ts';

const { issue } = loadIssue('issues/global-eye/005.md');
if (!issue) throw new Error('issue 005 does not load');
const done: PdfResponse[] = [];
let idle: () => void = () => {};
const pdf = new LatestPdf((response) => {
  done.push(response);
  if (!pdf.busy) idle();
});
afterAll(() => pdf.close());

describe('LatestPdf', () => {
  it('renders the first save and then only the latest of those made while it ran', async () => {
    const settled = new Promise<void>((resolve) => {
      idle = resolve;
    });
    for (const generation of [1, 2, 3])
      pdf.render({ generation, issue, publicUrl: 'https://news.example.org' });
    expect(pdf.busy).toBe(true);
    await settled;
    expect(done.map((r) => r.generation)).toEqual([1, 3]);
    for (const response of done)
      expect('pdf' in response && response.pdf.subarray(0, 5).toString()).toBe('%PDF-');
  }, 120_000);
});
