// What layout produces and painting consumes. PdfLayout is also returned to callers so that tests can
// check geometry (no overlap, nothing outside its column or page) without looking at pixels.
import type { Face } from './fonts.ts';
import type { StructNode } from './structure.ts';

export interface Style {
  face: Face;
  size: number;
  color: string;
  /** Raised text (footnote references), in points. */
  rise?: number;
}

/** One link occurrence in the text; a link broken over lines shares this object. */
export interface LinkTarget {
  href: string;
}

/** A stretch of text in one style, as it is drawn on a line. */
export interface Segment {
  text: string;
  style: Style;
  link?: LinkTarget;
  /** Offset from the line's left edge, after justification. */
  x: number;
  width: number;
  /** Extra space added to every space inside the segment (justification). */
  wordSpacing: number;
}

export interface Line {
  segments: Segment[];
  /** The line's box: its leading. */
  height: number;
  /** Ends in a hyphenated word: not to be the last line of a page. */
  hyphenated?: boolean;
  /** Notes cited on this line, by number. */
  notes?: number[];
  /** A marker hung in the left margin of the line (list bullets and numbers). */
  label?: { text: string; style: Style; x: number; struct: StructNode };
}

export type BoxKind =
  | 'masthead'
  | 'heading'
  | 'text'
  | 'figure'
  | 'caption'
  | 'rule'
  | 'panel'
  | 'header'
  | 'footer';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One thing drawn on a page: a run of lines in one column, an image, a rule or a tinted panel. */
export interface PlacedBox extends Rect {
  kind: BoxKind;
  /** 1-based page number. */
  page: number;
  /** Column index on the page, or -1 for full-width material (masthead, header, footer). */
  column: number;
  lines?: Line[];
  image?: { file: string };
  fill?: string;
  struct?: StructNode;
  /** For panels: the panel drawn behind these lines; they are checked against it, not for overlap. */
  panelId?: number;
  /** A page number in the contents box: which section or article it gives the page of. */
  pageOf?: PageTarget;
}

export type PageTarget = { section: string; article?: undefined } | { article: string; section?: undefined };

export interface PageFrame {
  number: number;
  width: number;
  height: number;
  /** Where running text may go: one rectangle per column. */
  columns: Rect[];
  /** The full text area (inside the margins). */
  body: Rect;
}

export interface PdfLayout {
  pages: PageFrame[];
  boxes: PlacedBox[];
  /** Page on which each section starts, by section slug. */
  sectionPages: Record<string, number>;
  /** Page on which each article starts, by article slug. */
  articlePages: Record<string, number>;
}
