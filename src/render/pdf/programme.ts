// A programme as a timetable in the column: each day's heading, then its slots, the time hung in a
// column of its own at the left of the slot's title. Tagged as a Table per day, one TR per slot
// with the time as its row header (TH) and the session (title, people, description) as its TD.

import { dayTitle } from '../../issue/dates.ts';
import type { Block, Person, ProgrammeSlot } from '../../issue/model.ts';
import { slotTime } from '../../issue/model.ts';
import { chairLabel } from '../html.ts';
import type { FlowItem } from './layout/flow-item.ts';
import { node } from './structure.ts';
import type { Piece } from './text/pieces.ts';
import { type Context, hangingX, inlinePieces, ruleItem, type Typesetter, textItem } from './typeset.ts';

/** One leading for a slot's title and people, so that text extraction reads them as one block. */
const LEADING = 11.5;

/** How the article's blocks are set (descriptions hold any blocks); passed in so imports run one way. */
type BlockItems = (t: Typesetter, blocks: readonly Block[], ctx: Context) => FlowItem[];

export function programmeItems(
  t: Typesetter,
  programme: Extract<Block, { type: 'programme' }>,
  ctx: Context,
  blockItems: BlockItems,
): FlowItem[] {
  const { theme } = t;
  const timeStyle = theme.style('sansBold', 8, theme.primary);
  // A small gap after the time: wide enough to read as a column, narrow enough that text
  // extraction still reads the time and the title as one line.
  const timeWidth =
    Math.max(
      0,
      ...programme.days.flatMap((d) => d.slots.map((s) => t.measurer.width(slotTime(s), 'sansBold', 8))),
    ) + 5;
  const items: FlowItem[] = [];
  for (const day of programme.days) {
    const title = dayTitle(day, t.language);
    if (title) {
      items.push(
        textItem(t, ctx, [{ text: title, style: theme.style('sansBold', 10, theme.accent) }], {
          struct: node('H3', ctx.parent),
          align: 'left',
          kind: 'heading',
          spaceBefore: 10,
          spaceAfter: 2,
          keepWithNext: true,
          keepTogether: true,
        }),
      );
    }
    items.push(...blockItems(t, day.intro, ctx));
    const table = node('Table', ctx.parent);
    for (const slot of day.slots)
      items.push(...slotItems(t, slot, { ...ctx, parent: table }, timeWidth, timeStyle, blockItems));
  }
  return items;
}

function slotItems(
  t: Typesetter,
  slot: ProgrammeSlot,
  ctx: Context,
  timeWidth: number,
  timeStyle: ReturnType<Typesetter['theme']['style']>,
  blockItems: BlockItems,
): FlowItem[] {
  const { theme } = t;
  const row = node('TR', ctx.parent);
  const time = node('TH', row, { scope: 'Row' });
  const cell = node('TD', row);
  const inner: Context = { ...ctx, parent: cell, indent: ctx.indent + timeWidth };
  const isBreak = slot.kind === 'break';
  const titleStyle = isBreak
    ? theme.style('serifItalic', 9, theme.muted)
    : theme.style('serifBold', 9, theme.text);
  const title = textItem(t, inner, inlinePieces(t, slot.title, titleStyle), {
    struct: node('P', cell),
    align: 'left',
    spaceBefore: 3,
    keepWithNext: true,
    leading: LEADING,
  });
  const first = title.lines[0];
  if (first)
    title.lines[0] = {
      ...first,
      label: {
        text: slotTime(slot),
        style: timeStyle,
        x: hangingX(t, title.width, timeWidth, 0),
        struct: time,
      },
    };
  const people = (label: string, list: readonly Person[]) => {
    if (!list.length) return [];
    const pieces: Piece[] = [{ text: `${label}: `, style: theme.style('sans', 7.5, theme.muted) }];
    list.forEach((person, i) => {
      if (i) pieces.push({ text: '; ', style: theme.style('sans', 7.5, theme.muted) });
      pieces.push({ text: person.name, style: theme.style('sansBold', 7.5, theme.text) });
      const rest = [person.role, person.organisation].filter(Boolean).join(', ');
      if (rest) pieces.push({ text: `, ${rest}`, style: theme.style('sans', 7.5, theme.muted) });
    });
    return [textItem(t, inner, pieces, { struct: node('P', cell), align: 'left', leading: LEADING })];
  };
  const details = [
    ...(slot.place
      ? [
          textItem(t, inner, [{ text: slot.place, style: theme.style('sans', 7.5, theme.muted) }], {
            struct: node('P', cell),
            align: 'left',
            leading: LEADING,
          }),
        ]
      : []),
    ...(slot.chair ? people(chairLabel(slot.chair.label, t.messages), slot.chair.people) : []),
    ...people(t.messages.t('edition.speakers', { count: slot.speakers.length }), slot.speakers),
  ];
  // The title stays with the people of its session, and with the first lines of its description.
  for (const item of details.slice(0, -1)) item.keepWithNext = true;
  const description = blockItems(t, slot.description, inner).map((item) => ({
    ...item,
    spaceBefore: Math.min(item.spaceBefore, 2),
  }));
  const last = details[details.length - 1];
  if (last && description.length) last.keepWithNext = true;
  if (!details.length && !description.length) title.keepWithNext = false;
  return [
    ruleItem(t, ctx, '#cbd2d9', 0.4, { spaceBefore: 3, keepWithNext: true }),
    title,
    ...details,
    ...description,
  ];
}
