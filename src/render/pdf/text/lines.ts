// Greedy line breaking of styled pieces into lines of a given width: justified or ragged, hyphenated
// at soft hyphens, broken after dashes and slashes, and never losing a character — a word wider than
// the line is cut wherever it must be.
import type { Measurer } from '../fonts.ts';
import { type Hyphenate, SOFT_HYPHEN } from '../hyphenate.ts';
import type { Line, LinkTarget, Segment, Style } from '../types.ts';
import { paragraphBidi, rtlSegments } from './bidi.ts';
import type { Piece } from './pieces.ts';

export type Align = 'justify' | 'left' | 'right' | 'center';

export interface BreakOptions {
  width: number;
  lineHeight: number;
  /** Indent of the first line (paragraphs set without space between them). */
  firstIndent?: number;
  align: Align;
  hyphenate: Hyphenate;
  measurer: Measurer;
  /** Right to left: each line reordered for display, set from the right ("left" aligns right). */
  rtl?: boolean;
}

interface Part {
  text: string;
  style: Style;
  link?: LinkTarget;
  note?: number;
  /** Where the part starts in the paragraph's text (right-to-left lines are reordered from it). */
  at: number;
}

interface Word {
  parts: Part[];
  /** Set on the word that ends at a forced break. */
  breakAfter?: boolean;
}

const SOFT = new RegExp(SOFT_HYPHEN, 'g');

/**
 * Splits pieces into words; a word may change style midway ("*versement*)"). Also the paragraph's
 * text, as the words' parts index it.
 */
function wordsOf(pieces: readonly Piece[], hyphenate: Hyphenate): { words: Word[]; text: string } {
  const words: Word[] = [];
  let text = '';
  let current: Word | undefined;
  for (const piece of pieces) {
    if (piece.lineBreak) {
      if (current) current.breakAfter = true;
      current = undefined;
      text += ' ';
      continue;
    }
    const tokens = piece.text.split(/(\s+)/);
    for (const token of tokens) {
      if (!token) continue;
      if (/^\s+$/.test(token)) {
        current = undefined;
        text += token;
        continue;
      }
      const part = piece.link ? token : token.replace(/\p{L}+/gu, hyphenate);
      if (!current) {
        current = { parts: [] };
        words.push(current);
      }
      current.parts.push({
        text: part,
        style: piece.style,
        link: piece.link,
        note: piece.note,
        at: text.length,
      });
      text += part;
    }
  }
  return { words, text };
}

function notesOf(words: readonly Word[]): { notes?: number[] } {
  const notes = words.flatMap((word) => word.parts.flatMap((part) => (part.note ? [part.note] : [])));
  return notes.length ? { notes } : {};
}

export function breakLines(pieces: readonly Piece[], options: BreakOptions): Line[] {
  const { measurer } = options;
  const firstIndent = options.firstIndent ?? 0;
  /** The measure of the line being filled: the first line is shorter by its indent. */
  const measure = () => options.width - (lines.length === 0 ? firstIndent : 0);
  const partWidth = (part: Part, text = part.text) =>
    measurer.width(text.replace(SOFT, ''), part.style.face, part.style.size);
  const wordWidth = (word: Word) => word.parts.reduce((sum, part) => sum + partWidth(part), 0);
  const spaceWidth = (word: Word) => {
    const last = word.parts[word.parts.length - 1] as Part;
    return measurer.width(' ', last.style.face, last.style.size);
  };

  const lines: Line[] = [];
  let line: Word[] = [];
  let used = 0;
  const emit = (last: boolean, hyphenated = false) => {
    if (line.length) lines.push({ ...assemble(line, last), ...(hyphenated ? { hyphenated } : {}) });
    line = [];
    used = 0;
  };
  const assemble = (words: Word[], last: boolean): Line => {
    if (bidi) {
      const indent = lines.length === 0 ? firstIndent : 0;
      const segments = rtlSegments(
        words.map((word) => word.parts),
        bidi,
        { room: options.width - indent, align: options.align, last, measurer },
      );
      return { segments, height: options.lineHeight, ...notesOf(words) };
    }
    const widths = words.map(wordWidth);
    const spaces = words.slice(0, -1).map(spaceWidth);
    const natural = widths.reduce((a, b) => a + b, 0) + spaces.reduce((a, b) => a + b, 0);
    const indent = lines.length === 0 ? firstIndent : 0;
    const slack = Math.max(0, options.width - indent - natural);
    const justify = options.align === 'justify' && !last && words.length > 1;
    const extra = justify ? slack / (words.length - 1) : 0;
    let x = indent + (options.align === 'right' ? slack : options.align === 'center' ? slack / 2 : 0);
    const segments: Segment[] = [];
    words.forEach((word, w) => {
      word.parts.forEach((part, p) => {
        const text = part.text.replace(SOFT, '');
        const previous = segments[segments.length - 1];
        const startsWord = p === 0 && w > 0;
        const partW = partWidth(part);
        if (previous && previous.style === part.style && previous.link === part.link) {
          if (startsWord) {
            previous.text += ` ${text}`;
            previous.width += (spaces[w - 1] as number) + extra + partW;
          } else {
            previous.text += text;
            previous.width += partW;
          }
          previous.wordSpacing = extra;
        } else {
          if (startsWord) x += (spaces[w - 1] as number) + extra;
          segments.push({ text, style: part.style, link: part.link, x, width: partW, wordSpacing: extra });
        }
        x = (segments[segments.length - 1] as Segment).x + (segments[segments.length - 1] as Segment).width;
      });
    });
    return { segments, height: options.lineHeight, ...notesOf(words) };
  };

  const { words: queue, text: paragraph } = wordsOf(pieces, options.hyphenate);
  const bidi = options.rtl ? paragraphBidi(paragraph) : undefined;
  for (let i = 0; i < queue.length; i++) {
    const word = queue[i] as Word;
    const gap = line.length ? spaceWidth(line[line.length - 1] as Word) : 0;
    const w = wordWidth(word);
    if (used + gap + w <= measure() + 0.01) {
      line.push(word);
      used += gap + w;
    } else {
      const split = splitWord(word, measure() - used - gap, partWidth, line.length === 0);
      if (split) {
        line.push(split.head);
        emit(false, split.soft);
        queue.splice(i + 1, 0, split.tail);
        continue;
      }
      emit(false);
      i -= 1; // retry the word on an empty line
      continue;
    }
    if (word.breakAfter) emit(true);
  }
  emit(true);
  return lines;
}

/**
 * The longest head of `word` that fits in `room`, broken at a soft hyphen (drawn as "-"), after a
 * dash or slash, or — only when the word is alone on its line — anywhere.
 */
function splitWord(
  word: Word,
  room: number,
  partWidth: (part: Part, text?: string) => number,
  alone: boolean,
): { head: Word; tail: Word; soft: boolean } | undefined {
  const candidates: { part: number; index: number; soft: boolean }[] = [];
  word.parts.forEach((part, p) => {
    for (let i = 1; i < part.text.length; i++) {
      const ch = part.text[i] as string;
      const before = part.text[i - 1] as string;
      if (ch === SOFT_HYPHEN) candidates.push({ part: p, index: i, soft: true });
      // Not after a hard hyphen: text extraction joins a line ending in "-" to the next one and
      // would read "counter-" + "trafficking" as "countertrafficking".
      else if (/[–—/]/.test(before)) candidates.push({ part: p, index: i, soft: false });
    }
  });
  const headOf = (p: number, index: number, soft: boolean): Word => {
    const parts = word.parts.slice(0, p);
    const part = word.parts[p] as Part;
    parts.push({ ...part, text: part.text.slice(0, index) + (soft ? '-' : '') });
    return { parts };
  };
  const tailOf = (p: number, index: number, soft: boolean): Word => {
    const part = word.parts[p] as Part;
    const skip = soft ? index + 1 : index;
    const rest = { ...part, text: part.text.slice(skip), at: part.at + skip };
    return { parts: [rest, ...word.parts.slice(p + 1)], breakAfter: word.breakAfter };
  };
  const width = (w: Word) => w.parts.reduce((sum, part) => sum + partWidth(part), 0);
  for (let c = candidates.length - 1; c >= 0; c--) {
    const { part, index, soft } = candidates[c] as { part: number; index: number; soft: boolean };
    const head = headOf(part, index, soft);
    if (width(head) <= room) return { head, tail: tailOf(part, index, soft), soft };
  }
  if (!alone) return undefined;
  // A word wider than a whole line (a long URL): cut at the last character that fits, at least one.
  for (let p = word.parts.length - 1; p >= 0; p--) {
    const text = (word.parts[p] as Part).text;
    for (let i = text.length - 1; i >= 1; i--) {
      const head = headOf(p, i, false);
      if (width(head) <= room) return { head, tail: tailOf(p, i, false), soft: false };
    }
  }
  return { head: headOf(0, 1, false), tail: tailOf(0, 1, false), soft: false };
}
