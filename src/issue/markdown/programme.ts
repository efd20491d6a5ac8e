// `::: programme`: a timetable of days and time slots. Written as an editor would type it:
//
//   ### 2026-03-10                 a day (a date is written out in the publication's language)
//   09:00–09:30 Registration        a slot: start–end and its title
//   Chair: Amina Diallo, Director, Ministry of Interior
//   Speaker: Jan Austad, THB Coordinator, Ministry of Justice
//   Any other line, and the paragraphs after it, describe the slot.
//
// Times are checked (a real time of day, the end after the start, slots in order).
import type { Token } from 'markdown-it';
import { type Location, problem } from '../../problems.ts';
import { closest } from '../../suggest.ts';
import { parsePartialDate } from '../dates.ts';
import type { Block, Person, ProgrammeDay, ProgrammeSlot, TimeOfDay } from '../model.ts';
import { plainText, timeText } from '../model.ts';
import { slugify } from '../slug.ts';
import type { Converter } from './converter.ts';
import type { Node } from './parser.ts';

const TIME = String.raw`(\d{1,2})[:.h](\d{2})`;
const SLOT_LINE = new RegExp(String.raw`^${TIME}(?:\s*(?:[-\u2013\u2014]|to)\s*${TIME})?\s+(\S.*)$`);
const PEOPLE_LINE = /^(chairs?|moderators?|speakers?|panell?ists?|place|room):\s*(.*)$/i;
const FIELD_NAMES = ['Chair', 'Moderator', 'Speaker', 'Speakers', 'Panellists', 'Place', 'Room'];
const BREAK = /\b(break|lunch|coffee|tea|pause|dinner|recess)\b/i;
const ISO_DAY = /\b(\d{4}-\d{2}-\d{2})\b/;

export function programmeBlock(converter: Converter, container: Node): Block {
  const days: ProgrammeDay[] = [];
  const ids = new Map<string, number>();
  let day: ProgrammeDay | undefined;
  let slot: ProgrammeSlot | undefined;
  let previous: { slot: ProgrammeSlot; line: number } | undefined;
  const currentDay = () => {
    if (!day) {
      day = { intro: [], slots: [] };
      days.push(day);
    }
    return day;
  };

  for (const node of container.children) {
    const { token } = node;
    const at = converter.locate(token);
    if (token.type === 'heading_open') {
      const text = plainText(converter.inlineOf(node)).trim();
      const iso = ISO_DAY.exec(text)?.[1];
      const date = iso ? parsePartialDate(iso) : undefined;
      if (iso && !date) {
        converter.problems.push(problem('programme-date', { day: iso }, at));
      }
      const label = (iso ? text.replace(iso, '') : text).replace(
        /^[\s,:\u2013\u2014-]+|[\s,:\u2013\u2014-]+$/g,
        '',
      );
      day = { intro: [], slots: [], ...(label ? { label } : {}), ...(date ? { date } : {}) };
      days.push(day);
      slot = undefined;
      previous = undefined;
      continue;
    }
    const lines = token.type === 'paragraph_open' ? (node.children[0]?.token.content ?? '').split('\n') : [];
    const match = SLOT_LINE.exec(lines[0] ?? '');
    if (!match) {
      const block = converter.block(node);
      if (block) (slot ? slot.description : currentDay().intro).push(block);
      continue;
    }
    const [, h1, m1, h2, m2, title] = match as unknown as string[];
    const start = timeOf(h1 as string, m1 as string);
    const end = h2 === undefined ? undefined : timeOf(h2, m2 as string);
    const lineAt = (offset: number): Location => ({ ...at, line: (at.line ?? 1) + offset, column: 1 });
    if (!start || (h2 !== undefined && !end)) {
      const written = (lines[0] as string).split(/\s+/).slice(0, 3).join(' ');
      converter.problems.push(problem('programme-time', { written }, lineAt(0)));
      continue;
    }
    if (end && minutes(end) <= minutes(start)) {
      converter.problems.push(
        problem('slot-ends-before-start', { start: timeText(start), end: timeText(end) }, lineAt(0)),
      );
    }
    if (previous && minutes(start) < minutes(previous.slot.start)) {
      const order = {
        start: timeText(start),
        previous: timeText(previous.slot.start),
        previousLine: previous.line,
      };
      converter.problems.push(problem('slot-order', order, lineAt(0)));
    } else if (previous?.slot.end && minutes(start) < minutes(previous.slot.end)) {
      const overlap = { start: timeText(start), previousEnd: timeText(previous.slot.end) };
      converter.problems.push(problem('programme-overlap', overlap, lineAt(0)));
    }
    const base = slugify(title as string) || `slot-${timeText(start).replace(':', '')}`;
    const seen = (ids.get(base) ?? 0) + 1;
    ids.set(base, seen);
    slot = {
      id: seen === 1 ? base : `${base}-${seen}`,
      start,
      ...(end ? { end } : {}),
      title: converter.inlineString(title as string, lineAt(0)),
      kind: 'session',
      speakers: [],
      description: [],
    };
    const description: string[] = [];
    lines.slice(1).forEach((line, i) => {
      const people = PEOPLE_LINE.exec(line.trim());
      const current = slot as ProgrammeSlot;
      if (!people) {
        const misspelt = /^([A-Za-z]+):/.exec(line.trim())?.[1];
        const near = misspelt && closest(misspelt, FIELD_NAMES);
        if (near && near.toLowerCase() !== misspelt.toLowerCase()) {
          converter.problems.push(problem('programme-field', { name: misspelt, near }, lineAt(i + 1)));
        }
        description.push(line);
        return;
      }
      const field = (people[1] as string).toLowerCase();
      const value = (people[2] as string).trim();
      if (!value) {
        converter.problems.push(problem('empty-slot-field', { name: people[1] as string }, lineAt(i + 1)));
        return;
      }
      if (field === 'place' || field === 'room') current.place = value;
      else if (field.startsWith('chair') || field.startsWith('moderator')) {
        const label = field.startsWith('chair') ? 'Chair' : 'Moderator';
        current.chair ??= { label, people: [] };
        current.chair.people.push(...peopleOf(value));
      } else current.speakers.push(...peopleOf(value));
    });
    if (description.length) {
      slot.description.push({
        type: 'paragraph',
        content: converter.inlineString(description.join(' '), lineAt(1)),
      });
    }
    if (BREAK.test(title as string) && !slot.speakers.length && !slot.chair) slot.kind = 'break';
    currentDay().slots.push(slot);
    previous = { slot, line: at.line ?? 0 };
  }
  if (!days.some((d) => d.slots.length)) {
    converter.problems.push(
      problem('empty-programme', undefined, converter.locate(container.token as Token)),
    );
  }
  return { type: 'programme', days };
}

function timeOf(hours: string, mins: string): TimeOfDay | undefined {
  const h = Number(hours);
  const m = Number(mins);
  return h <= 23 && m <= 59 ? { hours: h, minutes: m } : undefined;
}

function minutes(time: TimeOfDay): number {
  return time.hours * 60 + time.minutes;
}

/** "A, Role, Org; B, Org": people separated by semicolons; each name, then role, then organisation. */
function peopleOf(value: string): Person[] {
  return value
    .split(';')
    .map((part) =>
      part
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .filter((parts) => parts.length)
    .map(([name, ...rest]): Person => {
      if (rest.length === 0) return { name: name as string };
      if (rest.length === 1) return { name: name as string, organisation: rest[0] };
      return { name: name as string, role: rest[0], organisation: rest.slice(1).join(', ') };
    });
}
