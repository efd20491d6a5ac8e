// Fonts come from npm packages (Noto Serif for text, Noto Sans for display type; IBM Plex Sans Arabic
// for Arabic script), so a build needs no system fonts and no download. pdfkit embeds each font as a
// subset of the glyphs actually drawn.
//
// The font files are parsed once per process and the parsed fonts handed to every document (pdfkit
// ≥ 0.20 accepts fontkit fonts): fontkit keeps its parsed tables and glyphs. Shaping a word (its
// GSUB and GPOS lookups) is most of the rest of a build's cost, so every face shapes each distinct
// text once per process (`Shaper`): line breaking measures the words, pdfkit then draws the same
// words from the same shapes, in this document and every later one.
import { createRequire } from 'node:module';
import { type Font, type GlyphRun, openSync } from 'fontkit';

const require = createRequire(import.meta.url);

export type Face =
  | 'serif'
  | 'serifItalic'
  | 'serifBold'
  | 'serifBoldItalic'
  | 'sans'
  | 'sansBold'
  | ArabicFace;

/**
 * The faces of Arabic script, for text and display type alike: IBM Plex Sans Arabic. It draws each
 * joining form of a letter as a glyph of its own, so the PDF's character map gives the letters back
 * to copying and search. Noto Naskh Arabic builds its forms from dotless shapes and separate dots,
 * which a character map cannot tell apart (ب, ت, ن and ي all came back as ٮ); Amiri's letters
 * overlap so far (kaf, reh before yeh) that text extraction cut its words in two. Emphasis in
 * Arabic is bold: italic is set upright.
 */
type ArabicFace = 'arabic' | 'arabicBold';

/** The file of each face, as require.resolve finds it in node_modules. */
export const FONT_FILES: Record<Face, string> = {
  serif: '@expo-google-fonts/noto-serif/400Regular/NotoSerif_400Regular.ttf',
  serifItalic: '@expo-google-fonts/noto-serif/400Regular_Italic/NotoSerif_400Regular_Italic.ttf',
  serifBold: '@expo-google-fonts/noto-serif/700Bold/NotoSerif_700Bold.ttf',
  serifBoldItalic: '@expo-google-fonts/noto-serif/700Bold_Italic/NotoSerif_700Bold_Italic.ttf',
  sans: '@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf',
  sansBold: '@expo-google-fonts/noto-sans/700Bold/NotoSans_700Bold.ttf',
  arabic: '@expo-google-fonts/ibm-plex-sans-arabic/400Regular/IBMPlexSansArabic_400Regular.ttf',
  arabicBold: '@expo-google-fonts/ibm-plex-sans-arabic/700Bold/IBMPlexSansArabic_700Bold.ttf',
};

/** The faces of every edition: Latin, Greek and Cyrillic. */
export const FACES: Face[] = ['serif', 'serifItalic', 'serifBold', 'serifBoldItalic', 'sans', 'sansBold'];
export const ARABIC_FACES: Face[] = ['arabic', 'arabicBold'];

/** The Arabic face standing for a Latin one: bold stays bold. */
export function arabicFaceOf(face: Face): Face {
  const bold =
    face === 'serifBold' || face === 'serifBoldItalic' || face === 'sansBold' || face === 'arabicBold';
  return bold ? 'arabicBold' : 'arabic';
}

const parsed = new Map<Face, Font>();

function fontOf(face: Face): Font {
  let font = parsed.get(face);
  if (!font) {
    // A .ttf holds one font (a .ttc would hold a collection).
    font = openSync(require.resolve(FONT_FILES[face])) as Font;
    // fontkit keeps the first glyph object it makes for a glyph, with the characters it was made
    // for, and pdfkit maps the glyph back to those characters for copying, search and screen
    // readers. Shaping "É" first makes the glyph of "E" with the characters of "É" (the faces
    // decompose accented letters), and every "E" of every later document copied as nothing: a
    // PDF made after the warm-up lost the E of "Eye" and the I of "International" to search. So the glyph of each plain character is made first, from the character map; not
    // that of a compatibility form ("ﬃ"), whose glyph the ligature of "f", "f", "i" makes.
    for (const codePoint of font.characterSet) {
      const char = String.fromCodePoint(codePoint);
      if (char.normalize('NFKD') === char) font.glyphForCodePoint(codePoint);
    }
    font = withSharedShapes(font);
    parsed.set(face, font);
  }
  return font;
}

/** The faces whose files this process has opened: an edition opens only those it sets. */
export function openedFaces(): Face[] {
  return [...parsed.keys()];
}

/** A shaped run as fontkit returns it, with positions in font units. */
interface Shape {
  glyphs: GlyphRun['glyphs'];
  positions: GlyphRun['positions'];
}

/** Distinct texts kept per face: a long-running server builds many issues. */
const MAX_SHAPES = 100_000;

/**
 * The font, shaping each distinct text once: `layout` answers from the face's shapes, as a fresh
 * run each time because pdfkit scales a run's positions in place. pdfkit draws a word with its
 * following space ("word "), which is shaped as the word then the space: no shaping rule of these
 * faces reaches across a space (every word of both sample issues in every face gives the same
 * glyphs and positions either way), and so the word line breaking measured is the word drawn.
 */
function withSharedShapes(font: Font): Font {
  const shapes = new Map<string, Shape>();
  const shape = (text: string): Shape => {
    let known = shapes.get(text);
    if (!known) {
      if (text.length > 1 && text.endsWith(' ') && text.indexOf(' ') === text.length - 1) {
        const word = shape(text.slice(0, -1));
        const space = shape(' ');
        known = {
          glyphs: [...word.glyphs, ...space.glyphs],
          positions: [...word.positions, ...space.positions],
        };
      } else {
        const run = font.layout(text);
        if ((run as { direction?: string }).direction === 'rtl')
          for (const glyph of run.glyphs) inVisualOrder(glyph);
        known = { glyphs: run.glyphs, positions: run.positions.map((p) => ({ ...p })) };
      }
      if (shapes.size >= MAX_SHAPES) shapes.clear();
      shapes.set(text, known);
    }
    return known;
  };
  const shared: Font = Object.create(font);
  shared.layout = (text: string, ...options: unknown[]): GlyphRun => {
    // Features, script or direction asked for: shaped as asked, not shared.
    if (options.some((option) => option !== undefined)) return font.layout(text, ...options);
    const { glyphs, positions } = shape(text);
    return runOf(
      glyphs,
      positions.map((p) => ({ ...p })),
    );
  };
  return shared;
}

const visual = new WeakSet<object>();

/**
 * A ligature of right-to-left letters (lam-alef "لا") keeps its letters in the order it is drawn:
 * text extraction reads a line's glyphs from left to right and then reverses its right-to-left
 * stretches, the characters of each glyph with them, so that "لا" stored in reading order came back
 * as "ال". fontkit makes one object per glyph, so each is turned once.
 */
function inVisualOrder(glyph: GlyphRun['glyphs'][number]): void {
  if (glyph.codePoints.length < 2 || visual.has(glyph)) return;
  visual.add(glyph);
  glyph.codePoints = [...glyph.codePoints].reverse();
}

function runOf(glyphs: GlyphRun['glyphs'], positions: GlyphRun['positions']): GlyphRun {
  return {
    glyphs,
    positions,
    // As fontkit's GlyphRun: the sum of the advances, after pdfkit has scaled them.
    get advanceWidth() {
      let width = 0;
      for (const position of positions) width += position.xAdvance;
      return width;
    },
  };
}

/** Registers the Latin faces, and the Arabic ones only for an edition in Arabic script. */
export function registerFonts(doc: PDFKit.PDFDocument, arabic = false): void {
  for (const face of arabic ? [...FACES, ...ARABIC_FACES] : FACES) doc.registerFont(face, fontOf(face));
}

/**
 * Characters of `text` that a face has no glyph for (they would print as empty boxes). The body
 * faces cover Latin, Greek and Cyrillic: every character of the sample issues and the seeds.
 */
export function unsupportedCharacters(text: string, face: Face = 'serif'): string[] {
  const font = fontOf(face);
  const missing = new Set<string>();
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    if (code > 0x20 && !font.hasGlyphForCodePoint(code)) missing.add(char);
  }
  return [...missing];
}

/**
 * Code points every face can print, as sorted [first, last] ranges: what the table that
 * `bulletin check` reads (glyph-coverage.ts) is generated from, by scripts/font-coverage.ts.
 */
export function coveredRanges(among: readonly Face[] = FACES): Array<[number, number]> {
  const faces = among.map(fontOf);
  const points = [...new Set(faces[0]?.characterSet ?? [])]
    .filter((code) => faces.every((font) => font.hasGlyphForCodePoint(code)))
    .sort((a, b) => a - b);
  const ranges: Array<[number, number]> = [];
  for (const code of points) {
    const last = ranges[ranges.length - 1];
    if (last && last[1] === code - 1) last[1] = code;
    else ranges.push([code, code]);
  }
  return ranges;
}

/** The styled variant of a face: emphasis inside a bold heading stays bold. */
export function withEmphasis(face: Face, emphasis: 'em' | 'strong'): Face {
  const serif = face.startsWith('serif');
  const bold =
    face === 'serifBold' || face === 'serifBoldItalic' || face === 'sansBold' || emphasis === 'strong';
  const italic = face === 'serifItalic' || face === 'serifBoldItalic' || emphasis === 'em';
  if (!serif) return bold ? 'sansBold' : 'sans';
  if (bold && italic) return 'serifBoldItalic';
  if (bold) return 'serifBold';
  return italic ? 'serifItalic' : 'serif';
}

/** Widths at 1pt per face and text, shaped as pdfkit will draw them (kerning and ligatures). */
const widths = new Map<Face, Map<string, number>>();

/** Measures text the way pdfkit sets it: line breaking measures the same words again and again. */
export class Measurer {
  width(text: string, face: Face, size: number): number {
    let cache = widths.get(face);
    if (!cache) {
      cache = new Map();
      widths.set(face, cache);
    }
    let unit = cache.get(text);
    if (unit === undefined) {
      const font = fontOf(face);
      unit = font.layout(text).advanceWidth / font.unitsPerEm;
      if (cache.size > 100_000) cache.clear(); // a long-running server builds many issues
      cache.set(text, unit);
    }
    return unit * size;
  }
}
