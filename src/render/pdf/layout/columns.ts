// Pours flow items into columns, page after page. The typesetting rules live here:
// - nothing is placed below a column's foot: what does not fit continues in the next column or page;
// - a paragraph leaves at least two lines at the foot of a column and takes at least two to the next
//   (no orphans, no widows), and no hyphenated word is split over a page turn;
// - a heading, a question or a byline shares its column with the start of what follows it;
// - a figure floats to the top of the next page, across the columns, which start below it. A float
//   that would land after its article has ended is reported, so that the caller sets it in the column
//   instead (never at the top of the next article).
import type { PageFrame, PlacedBox, Rect } from '../types.ts';
import type { BlockItem, FlowItem, LinesItem, Panel } from './flow-item.ts';
import { frameOf, type Geometry } from './pages.ts';

const MIN_LINES = 2;
/** Height left for the columns under floats, at the least. */
const MIN_COLUMN = 160;

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

  const frame = () => pages[pages.length - 1] as PageFrame;
  const rect = () => frame().columns[column] as Rect;
  const bottom = () => rect().y + rect().height;
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
      const fit = Math.floor((bottom() - y + 0.01) / item.lineHeight);
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
