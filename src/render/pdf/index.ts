// The PDF edition: a printable, tagged (PDF/UA-1 subset) bulletin set in columns.
//
// Two steps. Layout measures and places everything — cover, sections, back matter, running header
// and footer — and records every box in a PdfLayout. The contents box on the cover gets its page
// numbers once the body is placed (they sit in boxes of fixed size, so nothing moves).
// Painting then draws the layout with pdfkit, building the structure tree in reading order.

import PDFDocument from 'pdfkit';
import { editionLanguageTag, type Issue } from '../../issue/model.ts';
import { messagesFor } from '../../messages/index.ts';
import { editionUrls, translationLanguage } from '../replacements.ts';
import { backMatterItems } from './back-matter.ts';
import { sectionItems } from './blocks.ts';
import { coverItems, fillPageNumbers, issueLabel, stackItems } from './cover.ts';
import { FACES, Measurer, registerFonts } from './fonts.ts';
import { usesArabicScript } from './glyphs.ts';
import { hyphenatorFor } from './hyphenate.ts';
import { pourColumns } from './layout/columns.ts';
import type { FlowItem } from './layout/flow-item.ts';
import { type Geometry, geometryOf } from './layout/pages.ts';
import { paint } from './paint.ts';
import { node, type StructNode, Tagger } from './structure.ts';
import { withArabicFaces } from './text/bidi.ts';
import { breakLines } from './text/lines.ts';
import { themeOf } from './theme.ts';
import type { Line, PdfLayout, PlacedBox } from './types.ts';
import type { Typesetter } from './typeset.ts';

export type { PdfLayout, PlacedBox } from './types.ts';

export interface PdfOptions {
  /** Base URL of the web edition, e.g. https://bulletin.example.org. */
  publicUrl: string;
}

/**
 * Parses the fonts and compiles pdfkit's and fontkit's hot paths on a small throwaway document:
 * a thread started before its issue arrives (thread.ts) then renders it as a warm process would.
 */
export async function warmUp(): Promise<void> {
  const doc = new PDFDocument({ tagged: true });
  registerFonts(doc);
  const sample =
    'The Quick Brown Fox Jumps Over the Lazy Dog: 0123456789, “quoted” – dashed; ÀÉÎÕÜ àéîõü ß ç.';
  for (const face of FACES) doc.font(face).fontSize(10).text(sample, { align: 'justify' });
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  doc.on('data', () => {});
  doc.end();
  await ended;
}

export async function renderPdf(
  issue: Issue,
  options: PdfOptions,
): Promise<{ pdf: Buffer; layout: PdfLayout }> {
  const { publication } = issue;
  const doc = new PDFDocument({
    autoFirstPage: false,
    pdfVersion: '1.7',
    // PDF/UA-1 identification in the XMP metadata; @types/pdfkit 0.17 lists only the PDF/A subsets.
    subset: 'PDF/UA' as PDFKit.Mixins.PDFSubsets,
    tagged: true,
    lang: editionLanguageTag(issue),
    displayTitle: true,
    info: {
      Title: `${publication.name} ${issueLabel(issue)}: ${issue.title}`,
      Author: publication.publisher.name,
      Subject: issue.preheader ?? publication.tagline ?? issue.title,
      Keywords: [publication.name, ...issue.sections.map((s) => s.label)].join(', '),
    },
  });
  const rtl = messagesFor(issue.language).direction === 'rtl';
  registerFonts(doc, usesArabicScript(issue.language));
  const geometry = geometryOf(publication.pdf.paper, publication.pdf.columns, rtl);
  const images = new Map<string, { width: number; height: number }>();
  const setting: Setting = {
    geometry,
    measurer: new Measurer(),
    webUrl: editionUrls(options.publicUrl, issue.publication.slug, issue.code, translationLanguage(issue))
      .web_url,
    imageSize: (file) => {
      const size = images.get(file) ?? doc.openImage(file);
      images.set(file, size);
      return size;
    },
  };

  const final = layOut(issue, setting);

  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  const tagger = new Tagger(doc);
  paint(doc, final.layout, tagger, { starts: final.starts, order: final.order });
  tagger.end();
  doc.end();
  await ended;
  return { pdf: Buffer.concat(chunks), layout: final.layout };
}

/** What laying out an issue needs besides the issue. */
interface Setting {
  geometry: Geometry;
  measurer: Measurer;
  webUrl: string;
  imageSize(file: string): { width: number; height: number };
}

function layOut(issue: Issue, setting: Setting) {
  const { geometry, measurer, webUrl } = setting;
  const { publication } = issue;
  const theme = themeOf(publication);
  const arabic = usesArabicScript(issue.language);
  // Arabic is not hyphenated: its lines are justified by their spaces alone.
  const hyphenate = arabic ? (word: string) => word : hyphenatorFor(editionLanguageTag(issue));
  const messages = messagesFor(issue.language);
  let panels = 0;
  const typesetter = (width: number): Typesetter => ({
    theme,
    measurer,
    hyphenate,
    language: editionLanguageTag(issue),
    rtl: geometry.rtl,
    arabic,
    messages,
    width,
    body: geometry.body,
    imageSize: setting.imageSize,
    nextPanelId: () => ++panels,
  });
  const root = node('Document');
  const coverTypesetter = typesetter(geometry.body.width);
  const coverContent = coverItems(coverTypesetter, issue, root);
  const cover = stackItems(coverContent, geometry.body);
  const column = typesetter(geometry.columnWidth);
  let items = [
    ...issue.sections.flatMap((section) => sectionItems(column, section, root)),
    ...backMatterItems(column, issue, root, webUrl),
  ];
  let flow = pourColumns(items, geometry, cover.bottom);
  if (flow.lateFloats.size) {
    // A figure must not float past the end of its article: set those in the column where written.
    items = items.map((item) =>
      flow.lateFloats.has(item as never) ? (item.kind === 'block' && item.inColumn) || item : item,
    );
    flow = pourColumns(items, geometry, cover.bottom);
  }
  const layout: PdfLayout = {
    pages: flow.pages,
    boxes: [...cover.boxes, ...flow.boxes],
    sectionPages: {},
    articlePages: {},
  };
  const starts = flow.starts.map(({ item, page }) => ({ ...item.starts, page }));
  for (const start of starts) {
    if (start.section) layout.sectionPages[start.section.slug] ??= start.page;
    if (start.article) layout.articlePages[start.article.slug] ??= start.page;
  }
  fillPageNumbers(coverTypesetter, layout);
  layout.boxes.push(...runningHeads(issue, layout, geometry, measurer, arabic));
  return { layout, starts, order: readingOrder([...coverContent, ...items]) };
}

/**
 * Structure nodes in the order of the issue file. Painting creates their elements in this order first,
 * so a figure floated to the top of a later page keeps its place in the structure tree.
 */
function readingOrder(items: readonly FlowItem[]): StructNode[] {
  const order: StructNode[] = [];
  const add = (lines: readonly Line[] | undefined, struct: StructNode | undefined) => {
    const label = lines?.[0]?.label;
    if (label) order.push(label.struct);
    if (struct && (lines === undefined || lines.length)) order.push(struct);
  };
  for (const item of items) {
    if (item.kind === 'lines') add(item.lines, item.struct);
    else for (const part of item.parts) add(part.lines, part.struct);
  }
  return order;
}

/** Publication and issue at the top of every page but the cover; "Page n of N" at the foot of all. */
function runningHeads(
  issue: Issue,
  layout: PdfLayout,
  geometry: Geometry,
  measurer: Measurer,
  arabic: boolean,
): PlacedBox[] {
  const theme = themeOf(issue.publication);
  const messages = messagesFor(issue.language);
  const style = theme.style('sans', 7.5, theme.muted);
  const { body } = geometry;
  // "left" and "right" are where lines start and end: mirrored in a right-to-left edition.
  const line = (text: string, align: 'left' | 'right' | 'center') =>
    breakLines(arabic ? withArabicFaces([{ text, style }]) : [{ text, style }], {
      width: body.width,
      lineHeight: 10,
      align,
      hyphenate: (w) => w,
      measurer,
      ...(geometry.rtl ? { rtl: true } : {}),
    });
  const boxes: PlacedBox[] = [];
  const total = layout.pages.length;
  for (const page of layout.pages) {
    const at = { page: page.number, column: -1, x: body.x, width: body.width, height: 10 };
    if (page.number > 1) {
      // One line: the publication's name where lines start, the issue where they end.
      const [left, right] = [line(issue.publication.name, 'left')[0], line(issueLabel(issue), 'right')[0]];
      const header = { height: 10, segments: [...(left?.segments ?? []), ...(right?.segments ?? [])] };
      boxes.push(
        { ...at, kind: 'header', y: body.y - 30, lines: [header] },
        { ...at, kind: 'rule', y: body.y - 17, height: 0.5, fill: theme.muted },
      );
    }
    boxes.push({
      ...at,
      kind: 'footer',
      y: body.y + body.height + 22,
      lines: line(messages.t('pdf.page', { page: page.number, total }), 'left'),
    });
  }
  return boxes;
}
