// Tables: a header row and body rows, each row an atomic block across the column, its cells
// wrapped to equal widths and aligned as the Markdown says. Tagged Table > TR > TH/TD.
import type { Block, Inline } from '../../issue/model.ts';
import type { BlockItem, FlowItem } from './layout/flow-item.ts';
import { node, type StructNode } from './structure.ts';
import { type Context, inlinePieces, leftOf, type Typesetter, textItem } from './typeset.ts';

export function tableItems(
  t: Typesetter,
  table: Extract<Block, { type: 'table' }>,
  ctx: Context,
): FlowItem[] {
  const { theme } = t;
  const struct = node('Table', ctx.parent);
  const width = t.width - ctx.indent - ctx.inset;
  const columns = Math.max(table.header.length, ...table.rows.map((row) => row.length));
  const cellWidth = width / columns;
  const padding = 3;
  const row = (cells: Inline[][], header: boolean): BlockItem => {
    const tr = node('TR', struct);
    const parts: BlockItem['parts'] = [];
    let height = 0;
    const style = header ? theme.style('sansBold', 8, theme.text) : theme.style('sans', 8, theme.text);
    for (let c = 0; c < columns; c++) {
      const cell: StructNode = node(header ? 'TH' : 'TD', tr, header ? { scope: 'Column' } : {});
      const cellCtx: Context = {
        ...ctx,
        indent: ctx.indent + c * cellWidth + padding,
        inset: width - (c + 1) * cellWidth + ctx.inset + padding,
      };
      const item = textItem(t, cellCtx, inlinePieces(t, cells[c] ?? [], style), {
        struct: cell,
        align: table.align[c] === 'center' ? 'center' : table.align[c] === 'right' ? 'right' : 'left',
      });
      const cellHeight = item.lines.length * item.lineHeight;
      if (item.lines.length) {
        parts.push({
          kind: 'text',
          x: item.x,
          y: padding,
          width: item.width,
          height: cellHeight,
          lines: item.lines,
          struct: cell,
        });
      }
      height = Math.max(height, cellHeight + 2 * padding);
    }
    parts.push({
      kind: 'rule',
      x: leftOf(t, ctx),
      y: height,
      width,
      height: header ? 0.8 : 0.3,
      fill: header ? theme.text : theme.muted,
    });
    return {
      kind: 'block',
      height: height + 1,
      parts,
      spaceBefore: 0,
      spaceAfter: 0,
      keepWithNext: header,
      panel: ctx.panel,
    };
  };
  const rows = [row(table.header, true), ...table.rows.map((cells) => row(cells, false))];
  (rows[0] as BlockItem).spaceBefore = 6;
  (rows[rows.length - 1] as BlockItem).spaceAfter = 6;
  return rows;
}
