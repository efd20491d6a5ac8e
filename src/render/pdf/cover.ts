// The top of the first page, across the full text width: masthead, issue line, the issue's theme and
// the "In this issue" box with the page of each section and article. The Feature starts below it.

import { issueDateLabel } from '../../issue/dates.ts';
import type { Block, Issue } from '../../issue/model.ts';
import { plainText } from '../../issue/model.ts';
import { messagesFor } from '../../messages/index.ts';
import { contentsLabel } from '../view.ts';
import { blockItems } from './blocks.ts';
import type { BlockItem, FlowItem } from './layout/flow-item.ts';
import { node, type StructNode } from './structure.ts';
import { breakLines } from './text/lines.ts';
import { leadingOf } from './theme.ts';
import type { PageTarget, PdfLayout, PlacedBox, Style } from './types.ts';
import { type Context, inlinePieces, ruleItem, type Typesetter, textItem } from './typeset.ts';

const NUMBER_SIZE = 8.5;

/** "N° 5 · May 2009" (or the season, when the issue has one); only the date when items are unnumbered. */
export function issueLabel(issue: Issue): string {
  const date = issueDateLabel(issue);
  const number = messagesFor(issue.language).t('pdf.number', { number: issue.number });
  return issue.publication.numbered ? `${number} · ${date}` : date;
}

export function coverItems(t: Typesetter, issue: Issue, parent: StructNode): FlowItem[] {
  const { theme } = t;
  const { publication } = issue;
  const ctx: Context = { parent, indent: 12, inset: 12 };
  const band = { id: t.nextPanelId(), fill: theme.primary, padding: 10 };
  const white = '#ffffff';
  const items: FlowItem[] = [
    textItem(
      t,
      { ...ctx, panel: band },
      [{ text: publication.name, style: theme.style('sansBold', 22, white) }],
      {
        struct: node('P', parent),
        align: 'left',
        kind: 'masthead',
      },
    ),
  ];
  if (publication.tagline) {
    items.push(
      textItem(
        t,
        { ...ctx, panel: band },
        [{ text: publication.tagline, style: theme.style('sans', 9.5, white) }],
        {
          struct: node('P', parent),
          align: 'left',
          kind: 'masthead',
          spaceBefore: 2,
        },
      ),
    );
  }
  const flush: Context = { parent, indent: 0, inset: 0 };
  items.push(
    textItem(t, flush, [{ text: issueLabel(issue), style: theme.style('sansBold', 10, theme.accent) }], {
      struct: node('P', parent),
      align: 'left',
      spaceBefore: 22,
    }),
    textItem(
      t,
      flush,
      [
        {
          text: issue.titleNote ? `${issue.title}*` : issue.title,
          style: theme.style('serifBold', 20, theme.primary),
        },
      ],
      {
        struct: node('H1', parent),
        align: 'left',
        kind: 'heading',
        spaceBefore: 4,
        spaceAfter: issue.author ? 4 : 12,
      },
    ),
  );
  if (issue.author) {
    items.push(
      textItem(t, flush, [{ text: issue.author, style: theme.style('sans', 10, theme.text) }], {
        struct: node('P', parent),
        align: 'left',
        spaceAfter: 12,
      }),
    );
  }
  const note = issue.titleNote ? titleNoteItems(t, issue.titleNote, flush) : [];
  return [...items, ...contentsItems(t, issue, parent), ...note];
}

/** The note on the issue's title, starred, under a short rule at the foot of the cover. */
function titleNoteItems(t: Typesetter, blocks: readonly Block[], ctx: Context): FlowItem[] {
  const { theme } = t;
  const note = node('Note', ctx.parent);
  const style = theme.style('serif', 7.5, theme.text);
  const [first, ...rest] = blocks;
  const lead = textItem(
    t,
    { ...ctx, parent: note },
    [{ text: '* ', style }, ...(first?.type === 'paragraph' ? inlinePieces(t, first.content, style) : [])],
    { struct: node('P', note), align: 'left', spaceBefore: 2 },
  );
  const items: FlowItem[] = [
    ruleItem(t, { ...ctx, inset: t.width / 2 }, theme.muted, 0.4, { spaceAfter: 3, keepWithNext: true }),
    lead,
    ...blockItems(t, first?.type === 'paragraph' ? rest : blocks, { ...ctx, parent: note }),
  ];
  (items[items.length - 1] as FlowItem).spaceAfter = 16;
  return items;
}

/** "In this issue": each section, each article of the sections that are not lists of entries. */
function contentsItems(t: Typesetter, issue: Issue, parent: StructNode): FlowItem[] {
  const { theme } = t;
  const panel = { id: t.nextPanelId(), fill: theme.tint, padding: 8 };
  const ctx: Context = { parent, indent: 10, inset: 10, panel };
  const toc = node('TOC', parent);
  const items: FlowItem[] = [
    textItem(
      t,
      ctx,
      [
        {
          text: contentsLabel(issue),
          style: theme.style('sansBold', 10, theme.primary),
        },
      ],
      {
        struct: node('H2', parent),
        align: 'left',
        kind: 'heading',
        spaceAfter: 3,
      },
    ),
  ];
  const numberWidth = 24;
  const entry = (text: string, style: Style, target: PageTarget | undefined, indent: number, gap: number) => {
    const tocItem = node('TOCI', toc);
    const title = textItem(
      t,
      { ...ctx, parent: tocItem, indent: ctx.indent + indent, inset: ctx.inset + numberWidth },
      [{ text, style }],
      { struct: node('P', tocItem), align: 'left' },
    );
    const height = title.lines.length * title.lineHeight;
    const parts: BlockItem['parts'] = [
      {
        kind: 'text',
        x: title.x,
        y: 0,
        width: title.width,
        height,
        lines: title.lines,
        struct: title.struct,
      },
    ];
    if (target) {
      // On the entry's last line, where a reader's eye ends; the number is set once pages are known.
      const lineHeight = leadingOf(NUMBER_SIZE);
      parts.push({
        kind: 'text',
        x: t.rtl ? ctx.indent : t.width - ctx.inset - numberWidth,
        y: height - lineHeight,
        width: numberWidth,
        height: lineHeight,
        lines: [],
        struct: node('Reference', tocItem),
        pageOf: target,
      });
    }
    items.push({ kind: 'block', height, parts, spaceBefore: gap, spaceAfter: 0, panel });
  };
  for (const section of issue.sections) {
    // A section's page is its first article's: only a section listed without its articles shows it.
    const sectionStyle = theme.style('sansBold', 8, theme.accent);
    const target: PageTarget | undefined = section.entries ? { section: section.slug } : undefined;
    entry(section.label.toUpperCase(), sectionStyle, target, 0, 5);
    if (section.entries) continue;
    for (const article of section.articles) {
      entry(plainText(article.title), theme.style('serif', 9, theme.text), { article: article.slug }, 8, 1);
    }
  }
  const last = items[items.length - 1] as FlowItem;
  last.spaceAfter = 16;
  return items;
}

/** Sets the page numbers of the contents box, from where the body landed. */
export function fillPageNumbers(t: Typesetter, layout: PdfLayout): void {
  const style = t.theme.style('sansBold', NUMBER_SIZE, t.theme.primary);
  for (const box of layout.boxes) {
    const target = box.pageOf;
    if (!target) continue;
    const page = target.section
      ? layout.sectionPages[target.section]
      : layout.articlePages[target.article ?? ''];
    box.lines = breakLines([{ text: String(page ?? ''), style }], {
      width: box.width,
      lineHeight: box.height,
      align: 'right',
      hyphenate: t.hyphenate,
      measurer: t.measurer,
      ...(t.rtl ? { rtl: true } : {}),
    });
  }
}

/** Stacks full-width items from `top`, with their panels; returns the boxes and where the stack ends. */
export function stackItems(
  items: readonly FlowItem[],
  area: { x: number; y: number; width: number },
): { boxes: PlacedBox[]; bottom: number } {
  const { x, width } = area;
  const boxes: PlacedBox[] = [];
  const panels = new Map<number, { box: PlacedBox; padding: number }>();
  let y = area.y;
  for (const item of items) {
    const panel = item.panel;
    let panelBox = panel ? panels.get(panel.id) : undefined;
    if (panel && !panelBox) {
      y += item.spaceBefore;
      const box: PlacedBox = {
        kind: 'panel',
        page: 1,
        column: -1,
        x,
        y,
        width,
        height: 0,
        fill: panel.fill,
        panelId: panel.id,
      };
      panelBox = { box, padding: panel.padding };
      panels.set(panel.id, panelBox);
      boxes.push(box);
      y += panel.padding;
    } else y += item.spaceBefore;
    if (item.kind === 'block') {
      for (const part of item.parts)
        boxes.push({ ...part, page: 1, column: -1, x: x + part.x, y: y + part.y, panelId: panel?.id });
      y += item.height;
    } else {
      const height = item.lines.length * item.lineHeight;
      boxes.push({
        kind: item.boxKind,
        page: 1,
        column: -1,
        x: x + item.x,
        y,
        width: item.width,
        height,
        lines: item.lines,
        struct: item.struct,
        panelId: panel?.id,
      });
      y += height;
    }
    const next = items[items.indexOf(item) + 1];
    if (panelBox && next?.panel?.id !== panel?.id) {
      y += panelBox.padding;
      panelBox.box.height = y - panelBox.box.y;
    }
    y += item.spaceAfter;
  }
  return { boxes, bottom: y };
}
