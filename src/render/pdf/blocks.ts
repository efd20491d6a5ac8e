// The sections, articles and blocks → flow items for the columns, each tied to its node in
// the structure tree. Walks the typed model (Block, Inline); Markdown is never looked at again.
import { formatRange } from '../../issue/dates.ts';
import type { Article, Block, Footnote, Inline, Section } from '../../issue/model.ts';
import { bylineInlines, listMarker, plainText } from '../../issue/model.ts';
import { figureItem } from './figure.ts';
import type { FlowItem, LinesItem, Panel } from './layout/flow-item.ts';
import { programmeItems } from './programme.ts';
import { node, type StructNode } from './structure.ts';
import { tableItems } from './table.ts';
import type { Piece } from './text/pieces.ts';
import {
  type Context,
  hangingX,
  inlinePieces,
  ruleItem,
  type TextSpec,
  type Typesetter,
  textItem,
} from './typeset.ts';

export function sectionItems(t: Typesetter, section: Section, parent: StructNode): FlowItem[] {
  const { theme } = t;
  const sect = node('Sect', parent, { title: section.label });
  const ctx: Context = { parent: sect, indent: 0, inset: 0 };
  const rule = ruleItem(t, ctx, theme.accent, 2, { spaceBefore: 18, spaceAfter: 4, keepWithNext: true });
  rule.starts = { section };
  const label = textItem(
    t,
    ctx,
    [{ text: section.label.toUpperCase(), style: theme.style('sansBold', 10, theme.accent) }],
    {
      struct: node('H2', sect),
      align: 'left',
      kind: 'heading',
      spaceAfter: 4,
      keepWithNext: true,
      keepTogether: true,
    },
  );
  return [rule, label, ...section.articles.flatMap((article, i) => articleItems(t, article, sect, i > 0))];
}

function articleItems(t: Typesetter, article: Article, parent: StructNode, notFirst: boolean): FlowItem[] {
  const { theme } = t;
  const art = node('Art', parent, { title: plainText(article.title) });
  const ctx: Context = { parent: art, indent: 0, inset: 0 };
  const items: FlowItem[] = [];
  const head = (pieces: Piece[], spec: TextSpec) =>
    items.push(
      textItem(t, ctx, pieces, {
        align: 'left',
        kind: 'heading',
        keepWithNext: true,
        keepTogether: true,
        ...spec,
      }),
    );

  if (article.kicker) {
    head([{ text: article.kicker.toUpperCase(), style: theme.style('sansBold', 7.5, theme.muted) }], {
      struct: node('P', art),
      spaceBefore: notFirst ? 12 : 4,
    });
  }
  const entry = article.entry;
  const titleSize = article.entry ? 10.5 : 14;
  // H2 as on the web (entries are listed under their section's heading, as H3); `###` in an
  // article is then H3 and `####` H4.
  head(inlinePieces(t, article.title, theme.style('serifBold', titleSize, theme.primary)), {
    struct: node(entry ? 'H3' : 'H2', art),
    spaceBefore: article.kicker ? 1 : notFirst ? (entry ? 10 : 14) : 4,
    spaceAfter: 3,
  });
  (items[0] as FlowItem).starts = { article }; // the kicker, or else the title
  const meta: string[] = [];
  if (entry) {
    meta.push(t.messages.t(entry.kind === 'event' ? 'edition.event' : 'edition.publication'));
    if (entry.date) meta.push(formatRange(entry.date, t.language));
    if (entry.place) meta.push(entry.place);
  }
  const metaStyle = theme.style('sans', 8, theme.muted);
  if (meta.length || article.byline) {
    const byline = article.byline ? inlinePieces(t, bylineInlines(article.byline), metaStyle) : [];
    // "By" and the name in the order the language puts them: the byline keeps its own pieces (links).
    const framed = byline.length && !entry;
    const [before = '', after = ''] = framed
      ? messageFrame(t.messages.parts('edition.byline', { byline: '' }))
      : [];
    const lead = meta.join(' · ') + (meta.length && byline.length ? ' · ' : '') + before;
    head(
      [
        ...(lead ? [{ text: lead, style: metaStyle }] : []),
        ...byline,
        ...(after ? [{ text: after, style: metaStyle }] : []),
      ],
      {
        struct: node('P', art),
        spaceAfter: 4,
        keepTogether: false,
      },
    );
  }
  if (article.standfirst) {
    items.push(
      textItem(t, ctx, inlinePieces(t, article.standfirst, theme.style('serifItalic', 10.5)), {
        struct: node('P', art),
        spaceAfter: 6,
      }),
    );
  }
  items.push(...blockItems(t, article.blocks, ctx));
  if (entry?.link) {
    items.push(
      paragraph(t, ctx, [{ type: 'link', href: entry.link, children: [{ type: 'text', text: entry.link }] }]),
    );
  }
  if (article.more) {
    const { label, href } = article.more;
    const shown = href.replace(/^mailto:/, '');
    const link: Inline = { type: 'link', href, children: [{ type: 'text', text: shown }] };
    const inlines: Inline[] = label === href ? [link] : [{ type: 'text', text: `${label} ` }, link];
    items.push(
      textItem(t, ctx, inlinePieces(t, inlines, theme.style('sans', 8.5, theme.text)), {
        struct: node('P', art),
        align: 'left',
        spaceBefore: 4,
      }),
    );
  }
  if (article.footnotes.length) items.push(...footnoteItems(t, article.footnotes, ctx));
  return items;
}

/**
 * Running text. A paragraph that follows another is indented and set without space above, as
 * printed columns are; after anything else it starts flush with a little space.
 */
function paragraph(t: Typesetter, ctx: Context, inlines: readonly Inline[], continues = false): LinesItem {
  const style = ctx.italic ? { ...t.theme.body, face: 'serifItalic' as const } : t.theme.body;
  return textItem(t, ctx, inlinePieces(t, inlines, style), {
    struct: node('P', ctx.parent),
    spaceBefore: continues ? 0 : 5,
    firstIndent: continues ? t.theme.body.size : 0,
    leading: t.theme.bodyLeading,
  });
}

export function blockItems(t: Typesetter, blocks: readonly Block[], ctx: Context): FlowItem[] {
  const { theme } = t;
  const items: FlowItem[] = [];
  blocks.forEach((block, i) => {
    switch (block.type) {
      case 'paragraph':
        items.push(paragraph(t, ctx, block.content, blocks[i - 1]?.type === 'paragraph'));
        break;
      case 'question':
        // Set apart by face and colour, on the body's leading: extra space here would cut the
        // column into separate blocks for text extraction, which then reorders them.
        items.push(
          textItem(
            t,
            ctx,
            inlinePieces(t, block.content, theme.style('sansBold', theme.body.size, theme.primary)),
            {
              struct: node('P', ctx.parent),
              align: 'left',
              spaceBefore: 1,
              leading: theme.bodyLeading,
              keepWithNext: true,
            },
          ),
        );
        break;
      case 'heading':
        items.push(headingItem(t, ctx, block.level, block.content));
        break;
      case 'references':
        items.push(...referenceItems(t, block, ctx));
        break;
      case 'programme':
        items.push(...programmeItems(t, block, ctx, blockItems));
        break;
      case 'list':
        items.push(...listItems(t, block, ctx));
        break;
      case 'quote': {
        const quote = node('BlockQuote', ctx.parent);
        items.push(
          ...blockItems(t, block.blocks, {
            ...ctx,
            parent: quote,
            indent: ctx.indent + 10,
            inset: ctx.inset + 10,
            italic: true,
          }),
        );
        break;
      }
      case 'pullQuote':
        items.push(...pullQuoteItems(t, block.blocks, ctx));
        break;
      case 'sidebar':
        items.push(...sidebarItems(t, block.title, block.blocks, ctx));
        break;
      case 'figure':
        items.push(figureItem(t, block, ctx));
        break;
      case 'table':
        items.push(...tableItems(t, block, ctx));
        break;
    }
  });
  return items;
}

function listItems(t: Typesetter, list: Extract<Block, { type: 'list' }>, ctx: Context): FlowItem[] {
  const l = node('L', ctx.parent);
  const indent = 12;
  const items: FlowItem[] = [];
  list.items.forEach((blocks, i) => {
    const li = node('LI', l);
    const body = node('LBody', li);
    const inner = blockItems(t, blocks, { ...ctx, parent: body, indent: ctx.indent + indent });
    const first = inner[0];
    const label = list.ordered ? listMarker(list, i) : '•';
    if (first?.kind === 'lines' && first.lines[0]) {
      const style = t.theme.style('serif', t.theme.body.size, list.ordered ? t.theme.text : t.theme.accent);
      const width = t.measurer.width(label, style.face, style.size);
      first.lines[0] = {
        ...first.lines[0],
        label: { text: label, style, x: hangingX(t, first.width, width, 4), struct: node('Lbl', li) },
      };
      first.spaceBefore = i === 0 ? 4 : 2;
    }
    items.push(...inner);
  });
  return items;
}

/** `###` (H3) set larger than `####` (H4), both in the sans bold of the article's subheads. */
export function headingItem(t: Typesetter, ctx: Context, level: 3 | 4, content: readonly Inline[]): FlowItem {
  const { theme } = t;
  const size = level === 3 ? 10.5 : 9.5;
  const face = level === 3 ? 'sansBold' : 'serifBoldItalic';
  return textItem(t, ctx, inlinePieces(t, content, theme.style(face, size, theme.primary)), {
    struct: node(level === 3 ? 'H3' : 'H4', ctx.parent),
    align: 'left',
    kind: 'heading',
    spaceBefore: level === 3 ? 10 : 8,
    spaceAfter: 1,
    keepWithNext: true,
    keepTogether: true,
  });
}

/** A bibliography: left-aligned entries with a hanging indent, tagged as a list without labels. */
function referenceItems(
  t: Typesetter,
  block: Extract<Block, { type: 'references' }>,
  ctx: Context,
): FlowItem[] {
  const { theme } = t;
  const items: FlowItem[] = [];
  if (block.title) items.push(headingItem(t, ctx, 3, [{ type: 'text', text: block.title }]));
  const list = node('L', ctx.parent);
  const hang = 14;
  const style = theme.style('serif', 8.5, theme.text);
  block.items.forEach((reference, i) => {
    const body = node('LBody', node('LI', list));
    items.push(
      textItem(t, { ...ctx, parent: body, indent: ctx.indent + hang }, inlinePieces(t, reference, style), {
        struct: node('P', body),
        align: 'left',
        firstIndent: -hang,
        spaceBefore: i === 0 ? 4 : 2,
      }),
    );
  });
  return items;
}

function pullQuoteItems(t: Typesetter, blocks: readonly Block[], ctx: Context): FlowItem[] {
  const { theme } = t;
  const quote = node('BlockQuote', ctx.parent);
  const style = theme.style('serifItalic', 12.5, theme.accent);
  const lines = blocks.flatMap((block) =>
    block.type === 'paragraph'
      ? [
          textItem(t, { ...ctx, parent: quote }, inlinePieces(t, block.content, style), {
            struct: node('P', quote),
            align: 'left',
            spaceBefore: 2,
          }),
        ]
      : blockItems(t, [block], { ...ctx, parent: quote }),
  );
  return [
    ruleItem(t, ctx, theme.accent, 1, { spaceBefore: 10, spaceAfter: 4, keepWithNext: true }),
    ...lines,
    ruleItem(t, ctx, theme.accent, 1, { spaceBefore: 6, spaceAfter: 4 }),
  ];
}

function sidebarItems(t: Typesetter, title: string, blocks: readonly Block[], ctx: Context): FlowItem[] {
  const { theme } = t;
  const panel: Panel = { id: t.nextPanelId(), fill: theme.tint, padding: 6 };
  const sect = node('Sect', ctx.parent, { title });
  const inner: Context = { parent: sect, indent: ctx.indent + 8, inset: ctx.inset + 8, panel };
  const heading = textItem(t, inner, [{ text: title, style: theme.style('sansBold', 9.5, theme.primary) }], {
    struct: node('H4', sect),
    align: 'left',
    kind: 'heading',
    spaceBefore: 16,
    spaceAfter: 1,
    keepWithNext: true,
    keepTogether: true,
  });
  const body = blockItems(t, blocks, inner).map((item) => ({
    ...item,
    spaceBefore: Math.min(item.spaceBefore, 4),
  }));
  const last = body[body.length - 1];
  if (last) last.spaceAfter = Math.max(last.spaceAfter, 10);
  return [heading, ...body];
}

function footnoteItems(t: Typesetter, footnotes: readonly Footnote[], ctx: Context): FlowItem[] {
  const { theme } = t;
  const items: FlowItem[] = [
    {
      ...ruleItem(t, { ...ctx, inset: t.width / 2 }, theme.muted, 0.4, {
        spaceBefore: 8,
        spaceAfter: 3,
        keepWithNext: true,
      }),
      footnoteRule: footnotes.map((note) => note.number),
    },
  ];
  const style = theme.style('serif', 7.5, theme.text);
  for (const footnote of footnotes) {
    // The number leads the note's first paragraph; anything else in the note (a list, a quote)
    // follows in the article's own type, and keeps the note at the article's end.
    const note = node('Note', ctx.parent);
    const [first, ...rest] = footnote.blocks;
    const content = first?.type === 'paragraph' ? first.content : [];
    const more = blockItems(t, first?.type === 'paragraph' ? rest : footnote.blocks, {
      ...ctx,
      parent: note,
    });
    const lead = textItem(
      t,
      { ...ctx, parent: note },
      [{ text: `${footnote.number}. `, style }, ...inlinePieces(t, content, style)],
      { struct: node('P', note), spaceBefore: 2 },
    );
    items.push(more.length ? lead : { ...lead, footnote: footnote.number }, ...more);
  }
  return items;
}

/** The text a message puts before and after its one placeholder ("By {byline}" → ["By ", ""]). */
function messageFrame(parts: ReturnType<Typesetter['messages']['parts']>): [string, string] {
  const at = parts.findIndex((part) => typeof part !== 'string');
  const text = (list: typeof parts) => list.filter((part) => typeof part === 'string').join('');
  return at < 0 ? [text(parts), ''] : [text(parts.slice(0, at)), text(parts.slice(at + 1))];
}
