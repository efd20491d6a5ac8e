import { describe, expect, it } from 'vitest';
import { coveredRanges } from '../../../src/render/pdf/fonts.ts';
import { COVERED_RANGES } from '../../../src/render/pdf/glyph-coverage.ts';
import { missingGlyphs } from '../../../src/render/pdf/glyphs.ts';

describe('the glyph coverage table that check reads', () => {
  it('is what the PDF fonts cover today (regenerate it with scripts/font-coverage.ts)', () => {
    expect(COVERED_RANGES).toEqual(coveredRanges());
  });

  it('finds the characters no PDF face can print, once each, and passes Latin, Greek and Cyrillic', () => {
    expect(missingGlyphs('Geneva, Genève, Αθήνα, Москва – “quoted” … €')).toEqual([]);
    expect(missingGlyphs('A snowman \u2603, 漢字 and 漢 again, an emoji 🙂')).toEqual([
      '\u2603',
      '漢',
      '字',
      '🙂',
    ]);
  });
});
