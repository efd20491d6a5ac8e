// Draws a finished layout with pdfkit, page by page, in reading order. Text, images and links are
// marked content of their structure elements; panels, rules, running headers and footers are
// artifacts, so a screen reader skips them.
import type { Article, Section } from '../../issue/model.ts';
import { plainText } from '../../issue/model.ts';
import { Measurer } from './fonts.ts';
import type { StructNode, Tagger } from './structure.ts';
import type { Line, PdfLayout, PlacedBox, Segment } from './types.ts';

/** Noto's vertical metrics (both families), as a share of the type size. */
const ASCENT = 1.069;
const DESCENT = 0.293;

export interface PaintOptions {
  /** Outline (bookmark) entries in reading order, with the page each starts on. */
  starts: { section?: Section; article?: Article; page: number }[];
  /** Structure nodes in reading order. */
  order: readonly StructNode[];
}

export function paint(
  doc: PDFKit.PDFDocument,
  layout: PdfLayout,
  tagger: Tagger,
  options: PaintOptions,
): void {
  const boxesByPage = new Map<number, PlacedBox[]>();
  for (const box of layout.boxes) {
    const list = boxesByPage.get(box.page) ?? [];
    list.push(box);
    boxesByPage.set(box.page, list);
  }
  for (const node of options.order) tagger.element(node);
  let sectionOutline: PDFKit.PDFOutline | undefined;
  for (const page of layout.pages) {
    doc.addPage({ size: [page.width, page.height], margin: 0 });
    for (const start of options.starts.filter((s) => s.page === page.number)) {
      if (start.section) sectionOutline = doc.outline.addItem(start.section.label);
      if (start.article) (sectionOutline ?? doc.outline).addItem(plainText(start.article.title));
    }
    for (const box of boxesByPage.get(page.number) ?? []) paintBox(doc, tagger, box);
    tagger.endPage();
  }
}

function paintBox(doc: PDFKit.PDFDocument, tagger: Tagger, box: PlacedBox): void {
  switch (box.kind) {
    case 'panel':
    case 'rule':
      tagger.artifact(() => {
        doc.rect(box.x, box.y, box.width, box.height).fill(box.fill ?? '#000000');
      });
      return;
    case 'figure':
      if (box.image && box.struct) {
        const { file } = box.image;
        tagger.mark(box.struct, () => {
          doc.image(file, box.x, box.y, { width: box.width, height: box.height });
        });
      }
      return;
    case 'header':
    case 'footer':
      tagger.artifact(() => paintLines(doc, box), 'Pagination');
      return;
    default:
      paintTaggedLines(doc, tagger, box);
  }
}

/** Lines of running text: plain stretches as content of the box's element, links as Link elements. */
function paintTaggedLines(doc: PDFKit.PDFDocument, tagger: Tagger, box: PlacedBox): void {
  const struct = box.struct;
  if (!struct) return;
  let top = box.y;
  for (const line of box.lines ?? []) {
    const baseline = baselineOf(line, top);
    const label = line.label;
    if (label) {
      tagger.mark(label.struct, () => drawText(doc, label.text, label.style, box.x + label.x, baseline));
    }
    let plain: Segment[] = [];
    const flushPlain = () => {
      if (!plain.length) return;
      const segments = plain;
      tagger.mark(struct, () => {
        for (const segment of segments) drawSegment(doc, segment, box.x, baseline);
      });
      plain = [];
    };
    for (const segment of line.segments) {
      const link = segment.link;
      if (!link) {
        plain.push(segment);
        continue;
      }
      flushPlain();
      const element = tagger.markLink(struct, link, () => drawSegment(doc, segment, box.x, baseline));
      // The annotation's Contents describes the link to assistive technology; pdfkit writes a String
      // object as a PDF text string (a primitive string would become a PDF name).
      const contents = new String(segment.text) as unknown as string;
      doc.link(box.x + segment.x, top, segment.width, line.height, link.href, {
        structParent: element,
        Contents: contents,
      });
    }
    flushPlain();
    top += line.height;
  }
}

function paintLines(doc: PDFKit.PDFDocument, box: PlacedBox): void {
  let top = box.y;
  for (const line of box.lines ?? []) {
    const baseline = baselineOf(line, top);
    for (const segment of line.segments) drawSegment(doc, segment, box.x, baseline);
    top += line.height;
  }
}

/** The baseline that centres the line's largest type in its leading. */
function baselineOf(line: Line, top: number): number {
  const size = Math.max(...line.segments.map((s) => (s.style.rise ? 0 : s.style.size)), 0);
  return top + (line.height - (ASCENT + DESCENT) * size) / 2 + ASCENT * size;
}

/**
 * Draws a segment word by word, each word with its following space as real text (so copying and
 * screen readers get spaces), each placed where justification put it. Drawing words rather than
 * whole lines also lets pdfkit shape each distinct word once per document.
 */
function drawSegment(doc: PDFKit.PDFDocument, segment: Segment, left: number, baseline: number): void {
  const { style } = segment;
  const y = baseline - (style.rise ?? 0);
  const words = segment.text.split(' ');
  const space = measurer.width(' ', style.face, style.size) + segment.wordSpacing;
  let x = left + segment.x;
  words.forEach((word, i) => {
    const last = i === words.length - 1;
    drawText(doc, last ? word : `${word} `, style, x, y);
    x += measurer.width(word, style.face, style.size) + space;
  });
}

const measurer = new Measurer();

function drawText(
  doc: PDFKit.PDFDocument,
  text: string,
  style: Segment['style'],
  x: number,
  baseline: number,
): void {
  doc
    .font(style.face)
    .fontSize(style.size)
    .fillColor(style.color)
    .text(text, x, baseline, { lineBreak: false, baseline: 'alphabetic' });
}
