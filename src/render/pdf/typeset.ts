// The typesetter's toolkit shared by the cover, the articles and the back matter: a paragraph of
// styled pieces → a run of broken lines; inline model → pieces; rules. Everything is measured for
// one measure (a column, or the page for full-width material).

import type { Inline } from '../../issue/model.ts';
import { plainText } from '../../issue/model.ts';
import type { Messages } from '../../messages/index.ts';
import type { Measurer } from './fonts.ts';
import type { Hyphenate } from './hyphenate.ts';
import type { BlockItem, LinesItem, Panel } from './layout/flow-item.ts';
import type { StructNode } from './structure.ts';
import { withArabicFaces } from './text/bidi.ts';
import { type Align, breakLines } from './text/lines.ts';
import { type Piece, piecesOf } from './text/pieces.ts';
import { leadingOf, type Theme } from './theme.ts';
import type { BoxKind, Style } from './types.ts';

export interface Typesetter {
  theme: Theme;
  measurer: Measurer;
  hyphenate: Hyphenate;
  language: string;
  /** Set right to left (Arabic): lines start at the right, indents and labels are on the right. */
  rtl: boolean;
  /** Written in Arabic script: Arabic letters set in the Arabic faces. */
  arabic: boolean;
  /** What the edition says itself, in its language. */
  messages: Messages;
  /** The measure of one column. */
  width: number;
  /** The text area of a page: figures are set across it, at the top of a page. */
  body: { width: number; height: number };
  /** Pixel size of an image file. */
  imageSize(file: string): { width: number; height: number };
  nextPanelId(): number;
}

/** Where a block sits: its structure parent, its indent in the column, the panel behind it. */
export interface Context {
  parent: StructNode;
  /** Inset on the side where lines start: the left, or the right in a right-to-left edition. */
  indent: number;
  /** Inset on the side where lines end (panels). */
  inset: number;
  panel?: Panel;
  /** Italic for block quotations. */
  italic?: boolean;
}

export interface TextSpec {
  struct: StructNode;
  align?: Align;
  kind?: BoxKind;
  spaceBefore?: number;
  spaceAfter?: number;
  keepWithNext?: boolean;
  keepTogether?: boolean;
  leading?: number;
  firstIndent?: number;
  /** A measure other than the column's (captions across the page). */
  width?: number;
}

export function textItem(t: Typesetter, ctx: Context, pieces: Piece[], spec: TextSpec): LinesItem {
  const width = spec.width ?? t.width - ctx.indent - ctx.inset;
  const align = spec.align ?? 'justify';
  const lineHeight =
    spec.leading ?? leadingOf(Math.max(...pieces.map((p) => p.style.size), t.theme.body.size));
  return {
    kind: 'lines',
    boxKind: spec.kind ?? 'text',
    lines: breakLines(t.arabic ? withArabicFaces(pieces) : pieces, {
      width,
      lineHeight,
      align,
      firstIndent: spec.firstIndent,
      // Only justified text is hyphenated: ragged lines (headings, captions) need not be.
      hyphenate: align === 'justify' ? t.hyphenate : (word) => word,
      measurer: t.measurer,
      ...(t.rtl ? { rtl: true } : {}),
    }),
    lineHeight,
    x: leftOf(t, ctx),
    width,
    struct: spec.struct,
    spaceBefore: spec.spaceBefore ?? 0,
    spaceAfter: spec.spaceAfter ?? 0,
    keepWithNext: spec.keepWithNext,
    keepTogether: spec.keepTogether,
    panel: ctx.panel,
  };
}

/** Offset from the column's left edge of what is set in `ctx`: a right-to-left edition is mirrored. */
export function leftOf(t: Typesetter, ctx: Context): number {
  return t.rtl ? ctx.inset : ctx.indent;
}

/**
 * Where a marker hangs beside the first line of an item `width` wide (list bullets, programme
 * times): `gap` before the line's start, which is its right edge in a right-to-left edition.
 */
export function hangingX(t: Typesetter, width: number, markerWidth: number, gap: number): number {
  return t.rtl ? width + gap : -markerWidth - gap;
}

export function inlinePieces(t: Typesetter, inlines: readonly Inline[], style: Style): Piece[] {
  return piecesOf(printable(inlines), style, t.theme.primary);
}

/**
 * Print cannot be clicked: a link whose text is not its address is followed by the address, so the
 * printed page still says where it points.
 */
function printable(inlines: readonly Inline[]): Inline[] {
  return inlines.flatMap((inline): Inline[] => {
    if (inline.type === 'strong' || inline.type === 'em')
      return [{ ...inline, children: printable(inline.children) }];
    if (inline.type !== 'link') return [inline];
    const shown = inline.href.replace(/^mailto:([^?]*).*$/, '$1');
    if (plainText(inline.children).trim() === shown) return [inline];
    return [
      inline,
      { type: 'text', text: ' (' },
      { type: 'link', href: inline.href, children: [{ type: 'text', text: shown }] },
      { type: 'text', text: ')' },
    ];
  });
}

/** A horizontal rule as an atomic block. */
export function ruleItem(
  t: Typesetter,
  ctx: Context,
  color: string,
  thickness: number,
  spec: { spaceBefore?: number; spaceAfter?: number; keepWithNext?: boolean } = {},
): BlockItem {
  return {
    kind: 'block',
    height: thickness,
    parts: [
      {
        kind: 'rule',
        x: leftOf(t, ctx),
        y: 0,
        width: t.width - ctx.indent - ctx.inset,
        height: thickness,
        fill: color,
      },
    ],
    spaceBefore: spec.spaceBefore ?? 0,
    spaceAfter: spec.spaceAfter ?? 0,
    keepWithNext: spec.keepWithNext,
    panel: ctx.panel,
  };
}
