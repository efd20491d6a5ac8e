// Pours flow items into columns, page after page. The typesetting rules live here:
// - nothing is placed below a column's foot: what does not fit continues in the next column or page;
// - a paragraph leaves at least two lines at the foot of a column and takes at least two to the next
//   (no orphans, no widows), and no hyphenated word is split over a page turn;
// - a heading, a question or a byline shares its column with the start of what follows it;
// - a note goes to the foot of the column where it is cited, above a short rule; a note too long
//   for that (or one holding more than a paragraph) stays at the end of its article;
// - a figure floats to the top of the next page, across the columns, which start below it. A float
//   that would land after its article has ended is reported, so that the caller sets it in the column
//   instead (never at the top of the next article).
import type { Line, PageFrame, PlacedBox, Rect } from '../types.ts';
import type { BlockItem, FlowItem, LinesItem, Panel } from './flow-item.ts';
import { frameOf, type Geometry } from './pages.ts';

const MIN_LINES = 2;
/** Height left for the columns under floats, at the least. */
const MIN_COLUMN = 160;
/** A note longer than this share of the page stays at its article's end. */
const MAX_NOTE_SHARE = 0.25;
/** Above the notes at a column's foot: space, the rule, space. */
const NOTE_SEPARATOR = 8;
const NOTE_GAP = 1;

export interface FlowResult {
  pages: PageFrame[];
  boxes: PlacedBox[];
  /** Where each item with `starts` landed. */
  starts: { item: FlowItem; page: number; y: number }[];
  /** Floats placed where their article had already ended. */
  lateFloats: Set<BlockItem>;
}

export function pourColumns(items: readonly FlowItem[], geometry: Geometry, firstTop: number): FlowResult {
  const pages: PageFrame[] = [frameOf(geometry, 1, firstTop)];
  const boxes: PlacedBox[] = [];
  const starts: FlowResult['starts'] = [];
  const floats: BlockItem[] = [];
  /** The article being poured, and the article of each waiting float. */
  let article: object | undefined;
  const articleOf = new Map<BlockItem, object | undefined>();
  const lateFloats = new Set<BlockItem>();
  let column = 0;
  let y = firstTop;
  let empty = true;
  /** Nothing placed on this page yet but floats: a new float may still go to its top. */
  let freshPage = false;
  /**
   * Notes that may go to a column's foot, by number (numbers restart with each article, so these are
   * the current article's); those set there; this column's, and the height they take.
   */
  let movableNotes = new Map<number, LinesItem>();
  const notesOfArticle = (from: number) => {
    const notes = new Map<number, LinesItem>();
    for (let i = from; i < items.length; i++) {
      const item = items[i] as FlowItem;
      if (i > from && (item.starts || item.columnBreakBefore)) break;
      if (
        item.kind === 'lines' &&
        item.footnote !== undefined &&
        fullHeight(item) <= MAX_NOTE_SHARE * geometry.body.height
      )
        notes.set(item.footnote, item);
    }
    return notes;
  };
  const noteRule = items.find((item): item is BlockItem => item.kind === 'block' && !!item.footnoteRule);
  let notesAtFoot = new Set<number>();
  let columnNotes: LinesItem[] = [];
  let reserved = 0;
  const noteHeight = (n: number) => fullHeight(movableNotes.get(n) as LinesItem) + NOTE_GAP;

  const frame = () => pages[pages.length - 1] as PageFrame;
  const rect = () => frame().columns[column] as Rect;
  const foot = () => rect().y + rect().height;
  const bottom = () => foot() - reserved;
  /** The notes of the lines, not yet placed, and the height they would add to this column's foot. */
  const notesOf = (lines: readonly Line[], pending: ReadonlySet<number>) => {
    const fresh = [...new Set(lines.flatMap((line) => line.notes ?? []))].filter(
      (n) => movableNotes.has(n) && !notesAtFoot.has(n) && !pending.has(n),
    );
    const height = fresh.reduce((sum, n) => sum + noteHeight(n), 0);
    return { fresh, height: height && reserved === 0 && !pending.size ? height + NOTE_SEPARATOR : height };
  };
  /** How many of `lines` fit above the foot, with the notes they cite. */
  const fitting = (lines: readonly Line[], lineHeight: number): number => {
    let fit = 0;
    let extra = 0;
    const pending = new Set<number>();
    for (const line of lines) {
      const notes = notesOf([line], pending);
      if (y + (fit + 1) * lineHeight > bottom() - extra - notes.height + 0.01) break;
      for (const n of notes.fresh) pending.add(n);
      extra += notes.height;
      fit += 1;
    }
    return fit;
  };
  /** Reserves the foot of this column for the notes the placed lines cite, when they fit. */
  const citeNotes = (lines: readonly Line[], linesHeight: number) => {
    for (const n of notesOf(lines, new Set()).fresh) {
      const height = noteHeight(n) + (reserved === 0 ? NOTE_SEPARATOR : 0);
      if (y + linesHeight + height > bottom() + 0.01) continue; // stays at the article's end
      reserved += height;
      notesAtFoot.add(n);
      columnNotes.push(movableNotes.get(n) as LinesItem);
    }
  };
  /** Sets this column's notes at its foot, under a short rule. */
  const setNotes = () => {
    if (!columnNotes.length) return;
    let top = foot() - reserved;
    const rule = noteRule?.parts[0];
    boxes.push({
      kind: 'rule',
      page: frame().number,
      column,
      // A short rule where lines start.
      x: geometry.rtl ? rect().x + (rect().width * 2) / 3 : rect().x,
      y: top + NOTE_SEPARATOR / 2,
      width: rect().width / 3,
      height: 0.4,
      fill: rule?.fill ?? '#555555',
    });
    top += NOTE_SEPARATOR;
    for (const note of columnNotes) {
      const height = fullHeight(note);
      boxes.push({
        kind: 'text',
        page: frame().number,
        column,
        x: rect().x + note.x,
        y: top,
        width: note.width,
        height,
        lines: note.lines,
        struct: note.struct,
      });
      top += height + NOTE_GAP;
    }
    columnNotes = [];
    reserved = 0;
  };
  /** Sets waiting floats at the top of the current page, as many as leave room for the columns. */
  const placeFloats = () => {
    const { body } = geometry;
    let top = frame().columns[0]?.y ?? body.y;
    while (floats.length) {
      const float = floats[0] as BlockItem;
      const roomy = top === body.y || top + float.height + MIN_COLUMN <= body.y + body.height;
      if (!roomy) break;
      floats.shift();
      if (articleOf.get(float) !== article) lateFloats.add(float);
      for (const part of float.parts) {
        boxes.push({ ...part, page: frame().number, column: -1, x: body.x + part.x, y: top + part.y });
      }
      top += float.height + float.spaceAfter;
    }
    pages[pages.length - 1] = frameOf(geometry, frame().number, top);
    y = rect().y;
  };
  const newPage = () => {
    pages.push(frameOf(geometry, pages.length + 1));
    column = 0;
    freshPage = true;
    placeFloats();
  };
  const nextColumn = () => {
    setNotes();
    column += 1;
    if (column >= geometry.columns) newPage();
    y = rect().y;
    empty = true;
  };
  const put = (box: Omit<PlacedBox, 'page' | 'column'>) => {
    boxes.push({ ...box, page: frame().number, column });
    freshPage = false;
  };

  /** Height the item needs at the least in this column: all of a block, two lines of a paragraph. */
  const headOf = (item: FlowItem): number => {
    if (item.kind === 'block') return item.height;
    const lines = item.keepTogether ? item.lines.length : Math.min(MIN_LINES, item.lines.length);
    return lines * item.lineHeight;
  };
  /** A keep-with-next chain and the head of the item after it. */
  const chainHeight = (from: number): number => {
    let height = 0;
    for (let i = from; i < items.length; i++) {
      const item = items[i] as FlowItem;
      height += i === from ? 0 : item.spaceBefore;
      height += item.keepWithNext ? fullHeight(item) + item.spaceAfter : headOf(item);
      if (!item.keepWithNext) break;
    }
    return height;
  };

  const placeBlock = (item: BlockItem) => {
    if (y + item.height > bottom() + 0.01 && !empty) nextColumn();
    for (const part of item.parts) {
      put({ ...part, x: rect().x + part.x, y: y + part.y, panelId: item.panel?.id });
    }
    y += item.height;
  };

  const placeLines = (item: LinesItem) => {
    let remaining = item.lines;
    while (remaining.length) {
      const fit = fitting(remaining, item.lineHeight);
      let take = remaining.length;
      if (take > fit) {
        const allowed = Math.min(fit, remaining.length - MIN_LINES);
        take = item.keepTogether || allowed < MIN_LINES ? 0 : allowed;
        // A word is not hyphenated over a page turn (a reader, or text extraction, loses it there).
        const lastColumn = column === geometry.columns - 1;
        if (lastColumn && take > MIN_LINES && remaining[take - 1]?.hyphenated) take -= 1;
        if (take === 0 && empty) take = Math.max(1, Math.min(fit, remaining.length)); // column too short
      }
      if (take === 0) {
        nextColumn();
        continue;
      }
      const lines = remaining.slice(0, take);
      citeNotes(lines, take * item.lineHeight);
      put({
        kind: item.boxKind,
        x: rect().x + item.x,
        y,
        width: item.width,
        height: take * item.lineHeight,
        lines,
        struct: item.struct,
        panelId: item.panel?.id,
      });
      y += take * item.lineHeight;
      empty = false;
      remaining = remaining.slice(take);
      if (remaining.length) nextColumn();
    }
  };

  items.forEach((item, i) => {
    if (item.starts?.article) {
      movableNotes = notesOfArticle(i);
      notesAtFoot = new Set();
    }
    // Notes already set at the foot of a column are not repeated at their article's end.
    if (item.footnote !== undefined && notesAtFoot.has(item.footnote)) return;
    if (item.footnoteRule?.every((n) => notesAtFoot.has(n))) return;
    if (item.starts || item.columnBreakBefore) article = item.starts?.article;
    if (item.kind === 'block' && item.float) {
      floats.push(item);
      articleOf.set(item, article);
      if (freshPage) placeFloats();
      return;
    }
    if (item.columnBreakBefore && !empty) nextColumn();
    if (!empty) y += item.spaceBefore;
    if (item.keepWithNext && !empty && y + chainHeight(i) > bottom() + 0.01) nextColumn();
    else if (!empty && y + headOf(item) > bottom() + 0.01) nextColumn();
    if (item.starts) starts.push({ item, page: frame().number, y });
    if (item.kind === 'block') placeBlock(item);
    else placeLines(item);
    empty = false;
    y = Math.min(y + item.spaceAfter, bottom());
  });
  setNotes();
  article = undefined;
  while (floats.length) newPage();

  return { pages, boxes: withPanels(boxes, items, pages), starts, lateFloats };
}

function fullHeight(item: FlowItem): number {
  return item.kind === 'block' ? item.height : item.lines.length * item.lineHeight;
}

/** Adds, before the first box of each panel in each column, the tinted rectangle behind it. */
function withPanels(boxes: PlacedBox[], items: readonly FlowItem[], pages: PageFrame[]): PlacedBox[] {
  const panels = new Map<number, Panel>();
  for (const item of items) if (item.panel) panels.set(item.panel.id, item.panel);
  const out: PlacedBox[] = [];
  for (let i = 0; i < boxes.length; i++) {
    const box = boxes[i] as PlacedBox;
    const panel = box.panelId === undefined ? undefined : panels.get(box.panelId);
    const previous = boxes[i - 1];
    const opens =
      panel &&
      (!previous ||
        previous.panelId !== box.panelId ||
        previous.page !== box.page ||
        previous.column !== box.column);
    if (panel && opens) {
      let last = box;
      for (let j = i + 1; j < boxes.length; j++) {
        const next = boxes[j] as PlacedBox;
        if (next.panelId !== box.panelId || next.page !== box.page || next.column !== box.column) break;
        last = next;
      }
      const column = (pages[box.page - 1] as PageFrame).columns[box.column] as Rect;
      const top = Math.max(column.y, box.y - panel.padding);
      const bottom = Math.min(column.y + column.height, last.y + last.height + panel.padding);
      out.push({
        kind: 'panel',
        page: box.page,
        column: box.column,
        x: column.x,
        y: top,
        width: column.width,
        height: bottom - top,
        fill: panel.fill,
        panelId: panel.id,
      });
    }
    out.push(box);
  }
  return out;
}
