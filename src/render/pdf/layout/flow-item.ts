// What the column flow places: runs of lines that may break between lines, and atomic blocks
// (figures, rules, table rows) that move whole to the next column when they do not fit.
import type { Article, Section } from '../../../issue/model.ts';
import type { StructNode } from '../structure.ts';
import type { BoxKind, Line, PlacedBox } from '../types.ts';

/** A tinted box behind a run of items (sidebars, the contents box, back matter). */
export interface Panel {
  id: number;
  fill: string;
  padding: number;
}

interface Common {
  /** Space above, dropped at the top of a column. */
  spaceBefore: number;
  spaceAfter: number;
  /** Must share its column with the start of the next item (headings, questions, bylines). */
  keepWithNext?: boolean;
  /** Starts at the top of a column (the back matter). */
  columnBreakBefore?: boolean;
  panel?: Panel;
  /** A one-paragraph note: set at the foot of the column citing it when it fits, else here. */
  footnote?: number;
  /** The rule above an article's notes: dropped when all of `footnoteRule` went to column feet. */
  footnoteRule?: number[];
  /** Recorded in the layout, and bookmarked, where the item lands. */
  starts?: { section?: Section; article?: Article };
}

export interface LinesItem extends Common {
  kind: 'lines';
  boxKind: BoxKind;
  lines: Line[];
  lineHeight: number;
  /** Offset from the column's left edge, and the measure the lines were broken to. */
  x: number;
  width: number;
  struct: StructNode;
  /** Headings: never split over two columns. */
  keepTogether?: boolean;
}

export interface BlockItem extends Common {
  kind: 'block';
  /** Set across the full text width at the top of the next page (figures); columns start below. */
  float?: boolean;
  /** A float's form in the column, used when its article ends before the float's page comes. */
  inColumn?: BlockItem;
  height: number;
  /** Positions relative to the block's top-left corner (the column's left edge). */
  parts: Omit<PlacedBox, 'page' | 'column'>[];
}

export type FlowItem = LinesItem | BlockItem;
