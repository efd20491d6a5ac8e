// Which characters the PDF fonts cannot print, from the generated coverage table: no font file is
// opened, so `bulletin check` can ask cheaply.
import { COVERED_RANGES } from './glyph-coverage.ts';

function covered(code: number): boolean {
  let low = 0;
  let high = COVERED_RANGES.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const [first, last] = COVERED_RANGES[middle] as readonly [number, number];
    if (code < first) high = middle - 1;
    else if (code > last) low = middle + 1;
    else return true;
  }
  return false;
}

/** Characters of `text` that some PDF face has no glyph for: they would print as empty boxes. */
export function missingGlyphs(text: string): string[] {
  const missing = new Set<string>();
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    if (code > 0x20 && !covered(code)) missing.add(char);
  }
  return [...missing];
}
