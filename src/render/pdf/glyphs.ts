// Which characters the PDF fonts cannot print, from the generated coverage table: no font file is
// opened, so `bulletin check` can ask cheaply.
import { ARABIC_COVERED_RANGES, COVERED_RANGES } from './glyph-coverage.ts';

/**
 * Languages written in Arabic script: their editions set Arabic letters in the Arabic faces (and
 * everything else, Latin names and digits, in the Latin ones). Only these editions open the Arabic
 * font files. Hebrew and Yiddish are right to left too, but no Hebrew face is bundled yet.
 */
const ARABIC_SCRIPT = new Set(['ar', 'ckb', 'fa', 'ks', 'ps', 'sd', 'ug', 'ur']);

export function usesArabicScript(language: string): boolean {
  return ARABIC_SCRIPT.has(language.toLowerCase().split('-')[0] as string);
}

function covered(code: number, ranges: ReadonlyArray<readonly [number, number]>): boolean {
  let low = 0;
  let high = ranges.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const [first, last] = ranges[middle] as readonly [number, number];
    if (code < first) high = middle - 1;
    else if (code > last) low = middle + 1;
    else return true;
  }
  return false;
}

/**
 * Characters of `text` that some PDF face of an edition in `language` has no glyph for: they would
 * print as empty boxes.
 */
export function missingGlyphs(text: string, language = 'en'): string[] {
  const arabic = usesArabicScript(language);
  const missing = new Set<string>();
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    if (code <= 0x20 || covered(code, COVERED_RANGES)) continue;
    if (!arabic || !covered(code, ARABIC_COVERED_RANGES)) missing.add(char);
  }
  return [...missing];
}
