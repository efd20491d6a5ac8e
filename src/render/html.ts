// The issue model as HTML fragments, shared by the email and web editions. Everything that came
// from an issue file is escaped here; templates insert these fragments unescaped.

import { dayTitle, isoDate } from '../issue/dates.ts';
import {
  type Block,
  type Footnote,
  type Image,
  type Inline,
  listMarker,
  type ProgrammeDay,
  type ProgrammeSlot,
  personText,
  timeText,
} from '../issue/model.ts';
import { type Messages, messagesFor } from '../messages/index.ts';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

export interface HtmlOptions {
  /** Where an image written as `images/x.png` is served from: `%%web_url%%` in mail, `` on the web. */
  imageBase: string;
  /** Prefix of the article's anchors (notes, programme slots), so that two articles never collide. */
  footnotePrefix: string;
  /** The publication's language, for dates written out (programme days). */
  language?: string;
  /** Notes whose first reference has been written: that one carries the id the note links back to. */
  citedNotes?: Set<number>;
}

export function inlineHtml(
  inlines: readonly Inline[],
  options: Pick<HtmlOptions, 'footnotePrefix' | 'citedNotes' | 'language'>,
): string {
  let out = '';
  for (const node of inlines) {
    switch (node.type) {
      case 'text':
        out += escapeHtml(node.text);
        break;
      case 'code':
        out += `<code>${escapeHtml(node.text)}</code>`;
        break;
      case 'break':
        out += '<br>';
        break;
      case 'strong':
        out += `<strong>${inlineHtml(node.children, options)}</strong>`;
        break;
      case 'em':
        out += `<em>${inlineHtml(node.children, options)}</em>`;
        break;
      case 'link':
        out += `<a href="${escapeHtml(node.href)}">${inlineHtml(node.children, options)}</a>`;
        break;
      case 'footnoteRef': {
        const first = options.citedNotes && !options.citedNotes.has(node.number);
        options.citedNotes?.add(node.number);
        const id = first ? ` id="${options.footnotePrefix}fnref${node.number}"` : '';
        out += `<sup class="noteref"${id}><a href="#${options.footnotePrefix}fn${node.number}" aria-label="${escapeHtml(messagesFor(options.language ?? 'en').t('edition.noteRef', { number: node.number }))}">${node.number}</a></sup>`;
        break;
      }
    }
  }
  return out;
}

export function imageUrl(image: Image, options: HtmlOptions): string {
  return `${options.imageBase}${image.path.split('/').map(encodeURIComponent).join('/')}`;
}

export function blocksHtml(blocks: readonly Block[], options: HtmlOptions): string {
  return blocks.map((block) => blockHtml(block, options)).join('\n');
}

export function blockHtml(block: Block, options: HtmlOptions): string {
  const inline = (content: readonly Inline[]) => inlineHtml(content, options);
  switch (block.type) {
    case 'paragraph':
      return `<p>${inline(block.content)}</p>`;
    case 'question':
      return `<p class="question"><strong>${inline(block.content)}</strong></p>`;
    case 'heading':
      return `<h${block.level}>${inline(block.content)}</h${block.level}>`;
    case 'list': {
      if (block.marker) return markedListHtml(block, options);
      const tag = block.ordered ? 'ol' : 'ul';
      const start = block.ordered && block.start !== 1 ? ` start="${block.start}"` : '';
      const items = block.items.map((item) => `<li>${unwrapSingleParagraph(item, options)}</li>`).join('');
      return `<${tag}${start}>${items}</${tag}>`;
    }
    case 'quote':
      return `<blockquote>${blocksHtml(block.blocks, options)}</blockquote>`;
    case 'pullQuote':
      return `<blockquote class="pullquote">${blocksHtml(block.blocks, options)}</blockquote>`;
    case 'sidebar':
      // A div, not <aside>: mail clients drop or restyle unknown sectioning elements.
      return `<div class="sidebar" role="note">${block.title ? `<h4>${escapeHtml(block.title)}</h4>` : ''}${blocksHtml(block.blocks, options)}</div>`;
    case 'figure':
      return `<figure><img src="${escapeHtml(imageUrl(block.image, options))}" alt="${escapeHtml(block.image.alt)}" width="100%">${figcaptionHtml(block.caption, block.credit, options)}</figure>`;
    case 'references': {
      const title = block.title ? `<h3>${escapeHtml(block.title)}</h3>` : '';
      const items = block.items.map((item) => `<li>${inline(item)}</li>`).join('');
      return `<div class="references">${title}<ul class="references">${items}</ul></div>`;
    }
    case 'programme':
      return `<div class="programme">${block.days.map((day) => programmeDayHtml(day, options)).join('')}</div>`;
    case 'table': {
      const cell = (tag: 'th' | 'td', content: Inline[], i: number) =>
        `<${tag}${block.align[i] && block.align[i] !== 'left' ? ` style="text-align:${block.align[i]}"` : ''}>${inline(content)}</${tag}>`;
      const head = `<tr>${block.header.map((c, i) => cell('th', c, i)).join('')}</tr>`;
      const rows = block.rows
        .map((row) => `<tr>${row.map((c, i) => cell('td', c, i)).join('')}</tr>`)
        .join('');
      return `<table class="data"><thead>${head}</thead><tbody>${rows}</tbody></table>`;
    }
  }
}

/** a) b) c), (i) (ii): the markers written out, as list-style-type cannot write them in every client. */
function markedListHtml(block: Extract<Block, { type: 'list' }>, options: HtmlOptions): string {
  const items = block.items
    .map(
      (item, i) =>
        `<li><span class="marker">${escapeHtml(listMarker(block, i))}</span> ${unwrapSingleParagraph(item, options)}</li>`,
    )
    .join('');
  return `<ol class="marked"${block.start !== 1 ? ` start="${block.start}"` : ''}>${items}</ol>`;
}

/** A day: its heading, then a timetable whose first column is the time of each slot. */
function programmeDayHtml(day: ProgrammeDay, options: HtmlOptions): string {
  const title = dayTitle(day, options.language ?? 'en');
  const heading = title
    ? `<h3 class="programme-day">${day.date ? `<time datetime="${isoDate(day.date)}">${escapeHtml(title)}</time>` : escapeHtml(title)}</h3>`
    : '';
  const rows = day.slots.map((slot) => slotHtml(slot, options)).join('');
  return `${heading}${blocksHtml(day.intro, options)}<table class="timetable"><tbody>${rows}</tbody></table>`;
}

function slotHtml(slot: ProgrammeSlot, options: HtmlOptions): string {
  const messages = messagesFor(options.language ?? 'en');
  const time = (t: ProgrammeSlot['start']) => `<time>${timeText(t)}</time>`;
  const when = slot.end ? `${time(slot.start)}\u2013${time(slot.end)}` : time(slot.start);
  const people = (label: string, list: ProgrammeSlot['speakers']) =>
    list.length
      ? `<p class="people">${escapeHtml(label)}: ${list
          .map((p) => {
            const rest = personText({ ...p, name: '' }).replace(/^, /, '');
            return `<strong>${escapeHtml(p.name)}</strong>${rest ? `, ${escapeHtml(rest)}` : ''}`;
          })
          .join('; ')}</p>`
      : '';
  const body = [
    `<p class="slot-title">${slot.kind === 'break' ? '' : '<strong>'}${inlineHtml(slot.title, options)}${slot.kind === 'break' ? '' : '</strong>'}</p>`,
    slot.place ? `<p class="people">${escapeHtml(slot.place)}</p>` : '',
    slot.chair ? people(chairLabel(slot.chair.label, messages), slot.chair.people) : '',
    people(messages.t('edition.speakers', { count: slot.speakers.length }), slot.speakers),
    blocksHtml(slot.description, options),
  ].join('');
  return `<tr id="${escapeHtml(options.footnotePrefix + slot.id)}" class="slot ${slot.kind}"><th scope="row" class="time">${when}</th><td class="session">${body}</td></tr>`;
}

/** A session's chair, called as the programme calls them ("Chair", "Moderator"), in the edition's language. */
export function chairLabel(label: 'Chair' | 'Moderator', messages: Messages): string {
  return messages.t(label === 'Moderator' ? 'edition.moderator' : 'edition.chair');
}

export function figcaptionHtml(
  caption: readonly Inline[],
  credit: string | undefined,
  options: Pick<HtmlOptions, 'footnotePrefix' | 'citedNotes'>,
): string {
  if (!caption.length && !credit) return '';
  const creditHtml = credit ? ` <span class="credit">${escapeHtml(credit)}</span>` : '';
  return `<figcaption>${inlineHtml(caption, options)}${creditHtml}</figcaption>`;
}

export function footnotesHtml(footnotes: readonly Footnote[], options: HtmlOptions): string {
  if (!footnotes.length) return '';
  const items = footnotes
    .map(
      (note) =>
        `<li id="${options.footnotePrefix}fn${note.number}" value="${note.number}">${unwrapSingleParagraph(note.blocks, options)} <a class="backref" href="#${options.footnotePrefix}fnref${note.number}" aria-label="${escapeHtml(messagesFor(options.language ?? 'en').t('edition.backToNote', { number: note.number }))}">\u21a9\ufe0e</a></li>`,
    )
    .join('');
  return `<ol class="footnotes">${items}</ol>`;
}

/** A tight list item is one paragraph: no <p> inside the <li>. */
function unwrapSingleParagraph(blocks: readonly Block[], options: HtmlOptions): string {
  const [only] = blocks;
  if (blocks.length === 1 && only?.type === 'paragraph') return inlineHtml(only.content, options);
  return blocksHtml(blocks, options);
}
