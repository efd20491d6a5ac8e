import { describe, expect, it } from 'vitest';
import { ARABIC_FACES, coveredRanges } from '../../../src/render/pdf/fonts.ts';
import { ARABIC_COVERED_RANGES, COVERED_RANGES } from '../../../src/render/pdf/glyph-coverage.ts';
import { missingGlyphs } from '../../../src/render/pdf/glyphs.ts';

describe('the glyph coverage table that check reads', () => {
  it('is what the PDF fonts cover today (regenerate it with scripts/font-coverage.ts)', () => {
    expect(COVERED_RANGES).toEqual(coveredRanges());
    expect(ARABIC_COVERED_RANGES).toEqual(coveredRanges(ARABIC_FACES));
  });

  it('passes Arabic letters in an edition in Arabic script only', () => {
    const text = 'المنظمة الدولية للهجرة (IOM)، 2024؟';
    expect(missingGlyphs(text, 'ar')).toEqual([]);
    expect(missingGlyphs(text, 'fa-IR')).toEqual([]);
    expect(missingGlyphs(text, 'en')).toContain('ل');
    expect(missingGlyphs('עברית', 'ar')).toEqual(['ע', 'ב', 'ר', 'י', 'ת']);
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
