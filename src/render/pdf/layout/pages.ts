// Page geometry: paper size, margins, the text area and its columns.
import type { PageFrame, Rect } from '../types.ts';

const PAPER = { A4: [595.28, 841.89], Letter: [612, 792] } as const;

export interface Geometry {
  width: number;
  height: number;
  body: Rect;
  columns: number;
  gutter: number;
  columnWidth: number;
  /** Columns read right to left: the first is on the right. */
  rtl: boolean;
}

export function geometryOf(paper: 'A4' | 'Letter', columns: number, rtl = false): Geometry {
  const [width, height] = PAPER[paper];
  // Room above and below the text area for the running header and footer.
  const body = { x: 48, y: 60, width: width - 96, height: height - 60 - 54 };
  const gutter = 16;
  return {
    width,
    height,
    body,
    columns,
    gutter,
    columnWidth: (body.width - gutter * (columns - 1)) / columns,
    rtl,
  };
}

/** The frame of page `number`, whose columns start at `top` (below the cover's masthead on page 1). */
export function frameOf(geometry: Geometry, number: number, top = geometry.body.y): PageFrame {
  const { body, columns, columnWidth, gutter } = geometry;
  const bottom = body.y + body.height;
  return {
    number,
    width: geometry.width,
    height: geometry.height,
    body,
    columns: Array.from({ length: columns }, (_, i) => ({
      x: body.x + (geometry.rtl ? columns - 1 - i : i) * (columnWidth + gutter),
      y: top,
      width: columnWidth,
      height: bottom - top,
    })),
  };
}
