// After the last section: "On the next issue", then the colophon — disclaimer, publisher and address,
// how to subscribe (an email to the list address) and where the web edition is.
import type { Inline, Issue } from '../../issue/model.ts';
import type { MessageKey } from '../../messages/index.ts';
import type { FlowItem } from './layout/flow-item.ts';
import { node, type StructNode } from './structure.ts';
import { type Context, inlinePieces, type Typesetter, textItem } from './typeset.ts';

export function backMatterItems(t: Typesetter, issue: Issue, parent: StructNode, webUrl: string): FlowItem[] {
  const { theme } = t;
  const { publication } = issue;
  const items: FlowItem[] = [];
  const heading = (ctx: Context, text: string, struct: StructNode) =>
    textItem(t, ctx, [{ text, style: theme.style('sansBold', 10, theme.primary) }], {
      struct,
      align: 'left',
      kind: 'heading',
      spaceBefore: 18,
      spaceAfter: 3,
      keepWithNext: true,
      keepTogether: true,
    });
  const small = theme.style('sans', 8, theme.text);
  const line = (ctx: Context, inlines: Inline[], spaceBefore = 1) =>
    textItem(t, ctx, inlinePieces(t, inlines, small), {
      struct: node('P', ctx.parent),
      align: 'left',
      spaceBefore,
    });
  const text = (value: string): Inline => ({ type: 'text', text: value });
  const link = (href: string, shown: string): Inline => ({ type: 'link', href, children: [text(shown)] });
  // A message whose placeholders are links: its text around them, in the translation's order.
  const message = (key: MessageKey, links: Record<string, Inline>): Inline[] =>
    t.messages
      .parts(key, Object.fromEntries(Object.keys(links).map((name) => [name, name])))
      .map((part) => (typeof part === 'string' ? text(part) : (links[part.name] as Inline)));

  if (issue.nextIssue) {
    const sect = node('Sect', parent, { title: t.messages.t('edition.nextIssue') });
    const panel = { id: t.nextPanelId(), fill: theme.tint, padding: 6 };
    const ctx: Context = { parent: sect, indent: 8, inset: 8, panel };
    items.push(
      heading(ctx, t.messages.t('edition.nextIssue'), node('H2', sect)),
      textItem(t, ctx, inlinePieces(t, issue.nextIssue, theme.style('serifItalic', 9.5)), {
        struct: node('P', sect),
        spaceAfter: 8,
      }),
    );
  }

  const sect = node('Sect', parent, { title: publication.name });
  const ctx: Context = { parent: sect, indent: 0, inset: 0 };
  items.push(heading(ctx, publication.name, node('H2', sect)));
  if (publication.disclaimer) {
    items.push(
      textItem(t, ctx, [{ text: publication.disclaimer, style: theme.style('sans', 8, theme.muted) }], {
        struct: node('P', sect),
        align: 'left',
        spaceAfter: 4,
      }),
    );
  }
  if (publication.tagline) items.push(line(ctx, [text(`${publication.name}: ${publication.tagline}.`)], 3));
  const { publisher } = publication;
  items.push(line(ctx, [text(publisher.name)], 4));
  for (const address of publisher.address) items.push(line(ctx, [text(address)]));
  if (publisher.phone)
    items.push(line(ctx, [text(t.messages.t('edition.phone', { phone: publisher.phone }))]));
  if (publisher.fax) items.push(line(ctx, [text(t.messages.t('edition.fax', { fax: publisher.fax }))]));
  if (publisher.website) items.push(line(ctx, [link(publisher.website, publisher.website)]));
  if (publication.issn) items.push(line(ctx, [text(`ISSN ${publication.issn}`)]));
  items.push(
    line(
      ctx,
      message('pdf.subscribe', {
        address: link(`mailto:${publication.listAddress}?subject=subscribe`, publication.listAddress),
      }),
      6,
    ),
    line(ctx, message('pdf.onTheWeb', { url: link(webUrl, webUrl) }), 3),
  );
  if (items[0]) items[0].columnBreakBefore = true;
  return items;
}
