// Figures: the picture across the text width at the top of a page, its caption and credit below.
import type { Block } from '../../issue/model.ts';
import type { BlockItem } from './layout/flow-item.ts';
import { node } from './structure.ts';
import type { Piece } from './text/pieces.ts';
import { type Context, inlinePieces, type Typesetter, textItem } from './typeset.ts';

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
  const { theme } = t;
  const width = t.body.width;
  const { width: pixelsWide, height: pixelsHigh } = t.imageSize(figure.image.file);
  let imageWidth = width;
  let imageHeight = (width * pixelsHigh) / pixelsWide;
  const maxHeight = t.body.height * 0.35;
  if (imageHeight > maxHeight) {
    imageWidth = (imageWidth * maxHeight) / imageHeight;
    imageHeight = maxHeight;
  }
  const parts: BlockItem['parts'] = [
    {
      kind: 'figure',
      x: 0,
      y: 0,
      width: imageWidth,
      height: imageHeight,
      image: { file: figure.image.file },
      struct: node('Figure', ctx.parent, { alt: figure.image.alt }),
    },
  ];
  let y = imageHeight + 4;
  const caption = node('Caption', ctx.parent);
  const captionLines = (pieces: Piece[]) => {
    const item = textItem(t, { ...ctx, indent: 0 }, pieces, { struct: caption, align: 'left', width });
    const height = item.lines.length * item.lineHeight;
    parts.push({ kind: 'caption', x: 0, y, width, height, lines: item.lines, struct: caption });
    y += height;
  };
  if (figure.caption.length)
    captionLines(inlinePieces(t, figure.caption, theme.style('sans', 8, theme.muted)));
  if (figure.credit) captionLines([{ text: figure.credit, style: theme.style('sans', 7, theme.muted) }]);
  return { kind: 'block', float: true, height: y, parts, spaceBefore: 0, spaceAfter: 14 };
}
