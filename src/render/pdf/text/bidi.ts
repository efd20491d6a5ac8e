// Right-to-left lines (Arabic): which face sets each stretch of text, and the visual order of a line.
//
// Lines are broken in logical order (the order of the file); the Unicode Bidirectional Algorithm
// (bidi-js) resolves the paragraph's embedding levels and mirrored brackets, and each line is then
// reordered on its own (rule L2, reversing from the highest level down, applied to runs of one part
// and one level rather than to characters).
// fontkit shapes a run of Arabic script right to left by itself (joining forms, lam-alef), so a
// right-to-left run of other characters ("2024.", "):") is reversed here, and a left-to-right run that
// fontkit would shape right to left (Arabic-Indic digits) is reversed beforehand, to come out right.
import { createRequire } from 'node:module';
import type { Bidi } from 'bidi-js';
import { arabicFaceOf, type Measurer } from '../fonts.ts';
import type { LinkTarget, Segment, Style } from '../types.ts';
import type { Piece } from './pieces.ts';

// bidi-js is CommonJS whose types declare an ES default export: required, so both agree.
const bidi = (createRequire(import.meta.url)('bidi-js') as () => Bidi)();

/** Characters of Arabic script, with the Arabic comma, semicolon, question mark and tatweel. */
const ARABIC = /\p{scx=Arabic}/u;
/** What fontkit lays out right to left: text whose first character of a script is Arabic. */
const SHAPED_RTL = /\p{sc=Arabic}/u;
const STRONG = /[\p{L}\p{N}]/u;

/**
 * Splits pieces so that Arabic letters are set in the Arabic faces and the rest (Latin names, digits)
 * in the Latin ones; punctuation and spaces go with the letters before them (or, at the start of a
 * piece, after them).
 */
export function withArabicFaces(pieces: readonly Piece[]): Piece[] {
  return pieces.flatMap((piece) => {
    if (!piece.text || !ARABIC.test(piece.text)) return [piece];
    const out: Piece[] = [];
    let arabic: boolean | undefined;
    let run = '';
    const flush = () => {
      if (!run) return;
      const style = arabic === false ? piece.style : { ...piece.style, face: arabicFaceOf(piece.style.face) };
      out.push({ ...piece, text: run, style });
      run = '';
    };
    for (const char of piece.text) {
      const kind = ARABIC.test(char) ? true : STRONG.test(char) ? false : undefined;
      if (kind !== undefined && arabic !== undefined && kind !== arabic) flush();
      if (kind !== undefined) arabic = kind;
      run += char;
    }
    flush();
    return out;
  });
}

export interface RtlPart {
  text: string;
  style: Style;
  link?: LinkTarget;
  /** Where the part starts in the paragraph's text. */
  at: number;
}

/** The paragraph's embedding levels, and the characters mirrored at right-to-left levels ("(" → ")"). */
export interface ParagraphBidi {
  levels: Uint8Array;
  mirrored: Map<number, string>;
}

/**
 * Levels are resolved for the whole paragraph, as the algorithm asks (a neutral at the end of a line
 * takes its direction from what follows it on the next), and each line is reordered on its own.
 */
export function paragraphBidi(text: string): ParagraphBidi {
  const embedding = bidi.getEmbeddingLevels(text, 'rtl');
  return { levels: embedding.levels, mirrored: bidi.getMirroredCharactersMap(text, embedding.levels) };
}

interface Run {
  text: string;
  style: Style;
  link?: LinkTarget;
  level: number;
  /** Space between words: only advances. */
  space?: boolean;
}

const SOFT_HYPHEN = '\u00ad';

/**
 * The segments of one right-to-left line, from its words in logical order, placed from the line's
 * left edge in a measure of `room` (the indent of a first line is on the right).
 */
export function rtlSegments(
  words: readonly (readonly RtlPart[])[],
  paragraph: ParagraphBidi,
  options: {
    room: number;
    align: 'justify' | 'left' | 'right' | 'center';
    last: boolean;
    measurer: Measurer;
  },
): Segment[] {
  const { measurer } = options;
  const { levels, mirrored } = paragraph;
  const last = levels.length - 1;
  // Runs of one part and one level, in logical order; a word split at the line's end ends in a "-"
  // that the paragraph does not have, which takes the level of the character before it.
  const runs: Run[] = [];
  words.forEach((parts, w) => {
    const first = parts[0] as RtlPart;
    if (w > 0) {
      const before = words[w - 1] as readonly RtlPart[];
      const level = levels[Math.max(0, first.at - 1)] ?? 1;
      runs.push({ text: ' ', style: (before[before.length - 1] as RtlPart).style, level, space: true });
    }
    for (const part of parts) {
      let run: Run | undefined;
      for (let i = 0; i < part.text.length; i++) {
        const written = part.text[i] as string;
        if (written === SOFT_HYPHEN) continue;
        const at = Math.min(part.at + i, last);
        const level = levels[at] ?? 1;
        const char = mirrored.get(at) ?? written;
        if (run && run.level === level) run.text += char;
        else {
          run = { text: char, style: part.style, ...(part.link ? { link: part.link } : {}), level };
          runs.push(run);
        }
      }
    }
  });
  // Rule L2: from the highest level down to the lowest odd one, reverse every stretch at that level
  // or higher.
  const highest = Math.max(...runs.map((run) => run.level));
  const lowestOdd = Math.min(...runs.map((run) => run.level | 1));
  for (let level = highest; level >= lowestOdd; level--) {
    for (let i = 0; i < runs.length; i++) {
      if ((runs[i] as Run).level < level) continue;
      let end = i;
      while (end + 1 < runs.length && (runs[end + 1] as Run).level >= level) end++;
      runs.splice(i, end - i + 1, ...runs.slice(i, end + 1).reverse());
      i = end;
    }
  }

  const drawn = runs.map((run) => {
    const rtl = run.level % 2 === 1;
    const text = rtl !== SHAPED_RTL.test(run.text) ? [...run.text].reverse().join('') : run.text;
    return { ...run, text, width: measurer.width(text, run.style.face, run.style.size) };
  });
  const gaps = drawn.filter((run) => run.space).length;
  const natural = drawn.reduce((sum, run) => sum + run.width, 0);
  const slack = Math.max(0, options.room - natural);
  const justify = options.align === 'justify' && !options.last && gaps > 0;
  const extra = justify ? slack / gaps : 0;
  // "left" is where lines start: the right, in a right-to-left line.
  let x = justify ? 0 : options.align === 'right' ? 0 : options.align === 'center' ? slack / 2 : slack;
  const segments: Segment[] = [];
  for (const run of drawn) {
    if (run.space) {
      x += run.width + extra;
      continue;
    }
    const { text, style, link, width } = run;
    segments.push({ text, style, ...(link ? { link } : {}), x, width, wordSpacing: 0 });
    x += width;
  }
  return segments;
}
