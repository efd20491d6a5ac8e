// Figures: the picture across the text width at the top of a page, its caption and credit below.
import type { Block } from '../../issue/model.ts';
import type { BlockItem } from './layout/flow-item.ts';
import { node, type StructNode } from './structure.ts';
import type { Piece } from './text/pieces.ts';
import { type Context, inlinePieces, leftOf, type Typesetter, textItem } from './typeset.ts';

/**
 * A figure floats to the top of a page, across all columns, with its caption and credit below it.
 * (Set inside a column, it would leave a column of text beside a picture, which text extraction and
 * screen-magnifier users follow badly.) The columns flow on under it.
 */
export function figureItem(
  t: Typesetter,
  figure: Extract<Block, { type: 'figure' }>,
  ctx: Context,
): BlockItem {
  // One Figure and one Caption element, whichever form is placed.
  const structs = {
    figure: node('Figure', ctx.parent, { alt: figure.image.alt }),
    caption: node('Caption', ctx.parent),
  };
  const float = figureBlock(t, figure, ctx, structs, t.body.width, t.body.height * 0.35);
  // When its article ends before the next page, the figure is set in the article's column instead,
  // so that it never lands at the top of the next article.
  const inColumn = figureBlock(
    t,
    figure,
    ctx,
    structs,
    t.width - ctx.indent - ctx.inset,
    t.body.height * 0.3,
  );
  for (const part of inColumn.parts) part.x += leftOf(t, ctx);
  return {
    ...float,
    float: true,
    inColumn: { ...inColumn, spaceBefore: 8, spaceAfter: 8, panel: ctx.panel },
  };
}

function figureBlock(
  t: Typesetter,
  figure: Extract<Block, { type: 'figure' }>,
  ctx: Context,
  structs: { figure: StructNode; caption: StructNode },
  width: number,
  maxHeight: number,
): BlockItem {
  const { theme } = t;
  const { width: pixelsWide, height: pixelsHigh } = t.imageSize(figure.image.file);
  let imageWidth = width;
  let imageHeight = (width * pixelsHigh) / pixelsWide;
  if (imageHeight > maxHeight) {
    imageWidth = (imageWidth * maxHeight) / imageHeight;
    imageHeight = maxHeight;
  }
  const parts: BlockItem['parts'] = [
    {
      kind: 'figure',
      // A picture narrower than the measure starts where lines start.
      x: t.rtl ? width - imageWidth : 0,
      y: 0,
      width: imageWidth,
      height: imageHeight,
      image: { file: figure.image.file },
      struct: structs.figure,
    },
  ];
  let y = imageHeight + 4;
  const caption = structs.caption;
  const captionLines = (pieces: Piece[]) => {
    const item = textItem(t, { ...ctx, indent: 0 }, pieces, { struct: caption, align: 'left', width });
    const height = item.lines.length * item.lineHeight;
    parts.push({ kind: 'caption', x: 0, y, width, height, lines: item.lines, struct: caption });
    y += height;
  };
  if (figure.caption.length)
    captionLines(inlinePieces(t, figure.caption, theme.style('sans', 8, theme.muted)));
  if (figure.credit) captionLines([{ text: figure.credit, style: theme.style('sans', 7, theme.muted) }]);
  return { kind: 'block', height: y, parts, spaceBefore: 0, spaceAfter: 14 };
}
