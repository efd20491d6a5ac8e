// The PDF edition of a language written right to left (Arabic): the fixture's Arabic translation of
// part of issue 005. Its words come back from the PDF in reading order (pdftotext), its lines are
// set from the right (word positions from pdftotext -bbox-layout, ink in a rasterised page), its
// first column is on the right, and it stays a tagged PDF in its language. The English original of
// the same fixture is the control: set from the left, without opening an Arabic font file.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIssue } from '../../../src/issue/load.ts';
import type { Issue } from '../../../src/issue/model.ts';
import { loadTranslations } from '../../../src/issue/translations.ts';
import { openedFaces } from '../../../src/render/pdf/fonts.ts';
import { type PdfLayout, type PlacedBox, renderPdf } from '../../../src/render/pdf/index.ts';
import { authoredText, recall } from '../../support/recall.ts';

const FIXTURE = 'test/fixtures/translations/arabic/005.md';
const SCREENSHOTS = join(process.cwd(), 'dist', 'screenshots');
const work = mkdtempSync(join(tmpdir(), 'bulletin-rtl-pdf-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Rendered {
  issue: Issue;
  layout: PdfLayout;
  file: string;
}

async function render(issue: Issue, name: string): Promise<Rendered> {
  const { pdf, layout } = await renderPdf(issue, { publicUrl: 'https://bulletin.example.org' });
  const file = join(work, `${name}.pdf`);
  writeFileSync(file, pdf);
  return { issue, layout, file };
}

function tool(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
}

const ARABIC = /\p{Script=Arabic}/u;

/** Words without their vowel marks: where a reader puts a mark (ُ ّ ً) is not under test. */
function bareWords(text: string): string[] {
  return text.replace(/\p{M}/gu, '').match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** A page rasterised at 72 dpi (one pixel a point) in grey levels, 0 black to 255 white. */
function raster(
  file: string,
  page: number,
): { width: number; height: number; at(x: number, y: number): number } {
  const pgm = execFileSync('pdftoppm', ['-r', '72', '-gray', '-f', String(page), '-l', String(page), file]);
  const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(pgm.subarray(0, 32).toString('latin1'));
  if (!header) throw new Error('pdftoppm gave no PGM image');
  const [head, w, h] = header as unknown as [string, string, string];
  const width = Number(w);
  const pixels = pgm.subarray(head.length);
  return { width, height: Number(h), at: (x, y) => pixels[y * width + x] as number };
}

/** The leftmost and rightmost ink (dark pixels) in a rectangle of the page. */
function inkExtent(
  image: ReturnType<typeof raster>,
  box: { x: number; y: number; width: number; height: number },
): { left: number; right: number } | undefined {
  let left = Number.POSITIVE_INFINITY;
  let right = Number.NEGATIVE_INFINITY;
  for (let y = Math.ceil(box.y); y < Math.floor(box.y + box.height); y++) {
    for (
      let x = Math.max(0, Math.floor(box.x));
      x < Math.min(image.width, Math.ceil(box.x + box.width));
      x++
    ) {
      if (image.at(x, y) < 128) {
        left = Math.min(left, x);
        right = Math.max(right, x);
      }
    }
  }
  return right >= left ? { left, right } : undefined;
}

/** Every box inside its column (or the text area), every line inside its box; how many segments. */
function segmentsInside(layout: PdfLayout): number {
  let segments = 0;
  for (const box of layout.boxes) {
    const page = layout.pages[box.page - 1] as PdfLayout['pages'][number];
    const area = box.column >= 0 ? page.columns[box.column] : box.kind === 'figure' ? page.body : undefined;
    const where = `${box.kind} on page ${box.page}, column ${box.column}, at ${box.x},${box.y}`;
    if (area) {
      expect(box.x, where).toBeGreaterThanOrEqual(area.x - 0.01);
      expect(box.x + box.width, where).toBeLessThanOrEqual(area.x + area.width + 0.01);
    }
    for (const line of box.lines ?? []) {
      for (const segment of line.segments) {
        segments += 1;
        expect(segment.x, `"${segment.text}", ${where}`).toBeGreaterThanOrEqual(-0.5);
        expect(segment.x + segment.width, `"${segment.text}", ${where}`).toBeLessThanOrEqual(box.width + 0.5);
      }
    }
  }
  return segments;
}

/** The first heading set in the columns of page 1: the first section's label, in the first column. */
function firstColumnLabel(layout: PdfLayout): PlacedBox {
  const label = layout.boxes.find((b) => b.page === 1 && b.kind === 'heading' && b.column === 0);
  if (!label) throw new Error('no heading in the first column of page 1');
  return label;
}

const set = loadTranslations(FIXTURE);
const arabicIssue = set.translations.get('ar');
const englishIssue = set.original;

let english: Rendered;
let arabic: Rendered;
let facesAfterEnglish: string[];
beforeAll(async () => {
  if (!arabicIssue || !englishIssue) throw new Error(set.problems.map((p) => p.message).join('\n'));
  english = await render(englishIssue, 'english');
  facesAfterEnglish = openedFaces();
  arabic = await render(arabicIssue, 'arabic');
  mkdirSync(SCREENSHOTS, { recursive: true });
});

describe('the PDF edition of an Arabic translation', () => {
  it('is the fixture: a translation in Arabic of the English original, with no problem reported', () => {
    expect(set.problems).toEqual([]);
    expect(arabicIssue?.language).toBe('ar');
  });

  it('gives back the Arabic words, in reading order, to pdftotext, with the Latin names and the numbers', () => {
    const text = tool('pdftotext', ['-enc', 'UTF-8', arabic.file, '-']);
    const source = authoredText(readFileSync(arabic.issue.file, 'utf8'));
    const result = recall(bareWords(source).join(' '), bareWords(text).join(' '));
    // Measured: recall 0.99 (pdftotext cuts a few words in two at a vowel mark), order 0.90 (it
    // reads the two columns' first headings, level with each other, as one line).
    expect(result.recall).toBeGreaterThanOrEqual(0.97);
    expect(result.order).toBeGreaterThanOrEqual(0.85);
    const flat = bareWords(text).join(' ');
    // Lam-alef is one glyph: its letters come back in their order; so do joined letters.
    for (const phrase of [
      'الاتجار بالبشر',
      'المنظمة الدولية للهجرة IOM',
      'عام 2008',
      'مواطني الاتحاد الأوروبي EU',
    ])
      expect(flat).toContain(phrase);
    // And no word comes back mirrored.
    expect(flat).not.toContain('رشبلاب');
  });

  it('sets each line from the right: its first word right of its last (pdftotext -bbox-layout)', () => {
    const xml = tool('pdftotext', ['-bbox-layout', '-enc', 'UTF-8', arabic.file, '-']);
    // Compared without spaces: pdftotext cuts a word in two where a vowel mark overlaps its letters.
    // The sections' labels come from publication.yml.
    const labels = arabic.issue.sections.map((section) => section.label).join(' ');
    const source = `${authoredText(readFileSync(arabic.issue.file, 'utf8'))} ${labels}`;
    const reference = bareWords(source).join('');
    let checked = 0;
    let inOrder = 0;
    for (const [, line = ''] of xml.matchAll(/<line [^>]*>([\s\S]*?)<\/line>/g)) {
      const words = [...line.matchAll(/<word xMin="([\d.]+)"[^>]*>([^<]*)<\/word>/g)].map((m) => ({
        x: Number(m[1]),
        // pdftotext lists a line's words, and a word's letters, as drawn: from the left.
        text: [...(m[2] as string)].reverse().join(''),
      }));
      if (words.length < 3 || !words.every((w) => ARABIC.test(w.text))) continue;
      checked += 1;
      const fromTheRight = [...words].sort((a, b) => b.x - a.x).flatMap((w) => bareWords(w.text));
      if (reference.includes(fromTheRight.join(''))) inOrder += 1;
    }
    expect(checked).toBeGreaterThanOrEqual(30);
    expect(inOrder).toBe(checked);
  });

  it('hugs the right margin and puts the first column on the right (pixels of page 1)', () => {
    const file = join(SCREENSHOTS, 'global-eye-005-ar-pdf-page-1.png');
    execFileSync('pdftoppm', [
      '-png',
      '-r',
      '72',
      '-f',
      '1',
      '-l',
      '1',
      '-singlefile',
      arabic.file,
      file.slice(0, -4),
    ]);
    expect(readFileSync(file).subarray(1, 4).toString('latin1')).toBe('PNG');
    const image = raster(arabic.file, 1);
    const page = arabic.layout.pages[0] as PdfLayout['pages'][number];
    const [first, second] = page.columns as [PlacedBox, PlacedBox];
    // The first column is the right-hand one, and its first heading, the section's label, is there.
    expect(first.x).toBeGreaterThan(second.x);
    const label = firstColumnLabel(arabic.layout);
    const ink = inkExtent(image, label);
    expect(ink).toBeDefined();
    const { left, right } = ink as { left: number; right: number };
    expect(left).toBeGreaterThan(image.width / 2);
    // A short label set flush right: ink to the right edge of the column, none near its left edge.
    expect(label.x + label.width - right).toBeLessThan(3);
    expect(left - label.x).toBeGreaterThan(label.width / 2);
    // The last line of a justified paragraph, when short, ends at the right edge too.
    const short = arabic.layout.boxes.flatMap((box) => {
      const last = box.lines?.[box.lines.length - 1];
      const start = Math.min(...(last?.segments ?? []).map((segment) => segment.x));
      if (box.page !== 1 || box.kind !== 'text' || !last || (box.lines?.length ?? 0) < 2) return [];
      return start > box.width / 3
        ? [{ x: box.x, y: box.y + box.height - last.height, width: box.width, height: last.height }]
        : [];
    });
    expect(short.length).toBeGreaterThanOrEqual(3);
    for (const line of short) {
      const extent = inkExtent(image, line) as { left: number; right: number };
      expect(extent, `last line at ${line.x},${line.y}`).toBeDefined();
      // A letter's side bearing may leave a few points.
      expect(line.x + line.width - extent.right).toBeLessThan(5);
      expect(extent.left - line.x).toBeGreaterThan(line.width / 3 - 2);
    }
  });

  it('the English original, the control, is set from the left, its first column on the left', () => {
    const image = raster(english.file, 1);
    const label = firstColumnLabel(english.layout);
    const { left, right } = inkExtent(image, label) as { left: number; right: number };
    expect(right).toBeLessThan(image.width / 2);
    expect(left - label.x).toBeLessThan(3);
    expect(label.x + label.width - right).toBeGreaterThan(label.width / 2);
  });

  it('draws every line inside its box, after reordering', () => {
    expect(segmentsInside(arabic.layout)).toBeGreaterThan(300);
  });

  it('hangs list bullets to the right of their lines and hyphenates nothing', () => {
    const labelled = arabic.layout.boxes.flatMap((box) =>
      (box.lines ?? []).flatMap((line) => (line.label ? [{ box, label: line.label }] : [])),
    );
    expect(labelled.length).toBe(3);
    for (const { box, label } of labelled) expect(label.x).toBeGreaterThanOrEqual(box.width);
    const lines = arabic.layout.boxes.flatMap((box) => box.lines ?? []);
    expect(lines.some((line) => line.hyphenated)).toBe(false);
  });

  it('mirrors figures and lists too: issue 005 set right to left (its text stays Latin)', async () => {
    const { issue } = loadIssue('issues/global-eye/005.md');
    if (!issue) throw new Error('sample does not load');
    const { layout } = await render({ ...issue, language: 'ar' }, 'global-eye-005-rtl');
    expect(segmentsInside(layout)).toBeGreaterThan(1000);
    const figures = layout.boxes.filter((box) => box.kind === 'figure');
    expect(figures.length).toBe(2);
    for (const figure of figures) {
      const { body } = layout.pages[figure.page - 1] as PdfLayout['pages'][number];
      expect(figure.x + figure.width).toBeCloseTo(body.x + body.width, 5);
    }
    const labels = layout.boxes.flatMap((box) =>
      (box.lines ?? []).flatMap((line) => (line.label ? [{ box, label: line.label }] : [])),
    );
    expect(labels.length).toBeGreaterThanOrEqual(5);
    for (const { box, label } of labels) expect(label.x).toBeGreaterThanOrEqual(box.width);
  });

  it('is a well-formed tagged PDF in Arabic, its Arabic face embedded', () => {
    const check = spawnSync('qpdf', ['--check', arabic.file], { encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(tool('pdfinfo', [arabic.file])).toMatch(/^Tagged:\s+yes$/m);
    const raw = tool('qpdf', ['--qdf', '--object-streams=disable', arabic.file, '-']);
    expect(raw).toContain('/Lang (ar)');
    const fonts = tool('pdffonts', [arabic.file]);
    expect(fonts).toMatch(/IBMPlexSansArabic\S*\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes/);
    const tree = tool('pdfinfo', ['-struct', arabic.file]);
    for (const tag of ['Document', 'Sect', 'Art', 'H2', 'H3', 'P', 'L', 'LI', 'Lbl', 'LBody', 'Link'])
      expect(tree).toMatch(new RegExp(`^\\s*${tag}\\b`, 'm'));
  });

  it('opens the Arabic font files for the Arabic edition only', () => {
    expect(facesAfterEnglish.some((face) => face.startsWith('arabic'))).toBe(false);
    expect(openedFaces()).toContain('arabic');
  });
});
