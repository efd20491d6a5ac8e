import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Font, openSync } from 'fontkit';
import PDFDocument from 'pdfkit';
import { describe, expect, it, vi } from 'vitest';
import { loadIssue } from '../../../src/issue/load.ts';
import { FACES, FONT_FILES, Measurer, registerFonts } from '../../../src/render/pdf/fonts.ts';
import { renderPdf } from '../../../src/render/pdf/index.ts';

const require = createRequire(import.meta.url);
const SAMPLES = ['issues/global-eye/005.md', 'issues/trafficking-in-migrants/025.md'];

function issueOf(path: string) {
  const { issue, problems } = loadIssue(path);
  if (!issue) throw new Error(problems.map((p) => p.message).join('\n'));
  return issue;
}

/** The text a reader copies out of a PDF, as poppler extracts it. */
async function copiedText(draw: (doc: PDFKit.PDFDocument) => void): Promise<string> {
  const doc = new PDFDocument();
  registerFonts(doc);
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise((resolve) => doc.on('end', resolve));
  draw(doc);
  doc.end();
  await ended;
  const dir = mkdtempSync(join(tmpdir(), 'bulletin-fonts-'));
  try {
    writeFileSync(join(dir, 'a.pdf'), Buffer.concat(chunks));
    return execFileSync('pdftotext', ['-enc', 'UTF-8', join(dir, 'a.pdf'), '-'], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('shaping text for the PDF', () => {
  // First in this file: the faces are fresh, as in a new process whose first document is accented.
  it('copies every character as drawn, whatever an earlier document drew (accented letters first)', async () => {
    await copiedText((doc) => {
      doc.font('serif').text('ÀÉÎÕÜ àéîõü');
      doc.font('sansBold').text('ÀÉÎÕÜ');
    });
    const text = await copiedText((doc) => {
      doc.font('serif').text('The Global Eye: A quarterly, International. Trafficking, office, flow.');
      doc.font('sansBold').text('FEATURE');
    });
    expect(text).toContain('The Global Eye: A quarterly, International. Trafficking, office, flow.');
    expect(text).toContain('FEATURE');
  });

  it('shapes a word with its following space as fontkit does, for every word of both samples in every face', () => {
    const words = [...new Set(SAMPLES.flatMap((path) => readFileSync(path, 'utf8').split(/\s+/)))].filter(
      Boolean,
    );
    const measurer = new Measurer();
    for (const face of FACES) {
      const font = openSync(require.resolve(FONT_FILES[face])) as Font;
      const differing = words.filter(
        (word) =>
          Math.abs(
            measurer.width(`${word} `, face, 1) - font.layout(`${word} `).advanceWidth / font.unitsPerEm,
          ) > 1e-9,
      );
      expect(differing, face).toEqual([]);
    }
  });

  it('shapes each distinct text once per process: a second document of the same issue shapes nothing', async () => {
    const issue = issueOf(SAMPLES[0] as string);
    const options = { publicUrl: 'https://bulletin.example.org' };
    const first = await renderPdf(issue, options);
    // Every face is an instance of fontkit's one TrueType class: spying on its prototype counts
    // every shaping, whichever face and document asks.
    const fontkitClass = Object.getPrototypeOf(openSync(require.resolve(FONT_FILES.serif))) as Font;
    const shaping = vi.spyOn(fontkitClass, 'layout');
    try {
      const second = await renderPdf(issue, options);
      expect(shaping).not.toHaveBeenCalled();
      expect(second.pdf.length).toBe(first.pdf.length);
      expect(second.layout).toEqual(first.layout);
    } finally {
      shaping.mockRestore();
    }
  });
});
