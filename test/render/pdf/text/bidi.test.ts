// Right-to-left lines as specifications: a line of mixed Arabic, Latin and numbers, broken in
// logical order, is drawn in the visual order the Unicode Bidirectional Algorithm gives (segments
// listed from the left edge), from the right edge.
import { describe, expect, it } from 'vitest';
import { Measurer } from '../../../../src/render/pdf/fonts.ts';
import { withArabicFaces } from '../../../../src/render/pdf/text/bidi.ts';
import { breakLines } from '../../../../src/render/pdf/text/lines.ts';
import type { Line, Style } from '../../../../src/render/pdf/types.ts';

const style: Style = { face: 'serif', size: 10, color: '#000000' };
const measurer = new Measurer();

function rtlLines(text: string, width = 1000, align: 'left' | 'justify' = 'left'): Line[] {
  return breakLines(withArabicFaces([{ text, style }]), {
    width,
    lineHeight: 13,
    align,
    hyphenate: (word) => word,
    measurer,
    rtl: true,
  });
}

/** The line's segments from the left, as drawn. */
const drawn = (line: Line | undefined) => (line?.segments ?? []).map((segment) => segment.text);

describe('a right-to-left line', () => {
  it('sets Arabic words from the right, a Latin name and a year left to right inside them', () => {
    const [line] = rtlLines('تعمل المنظمة الدولية للهجرة (IOM) منذ عام 2024.');
    expect(drawn(line)).toEqual([
      '.',
      '2024',
      'عام',
      'منذ',
      '(',
      'IOM',
      ')',
      'للهجرة',
      'الدولية',
      'المنظمة',
      'تعمل',
    ]);
  });

  it('keeps a run of Latin words in their order, as one embedded stretch', () => {
    const [line] = rtlLines('نشرة The Global Eye الفصلية');
    expect(drawn(line)).toEqual(['الفصلية', 'The', 'Global', 'Eye', 'نشرة']);
  });

  it('sets Arabic letters in the Arabic face, Latin letters and digits in the Latin one', () => {
    const [line] = rtlLines('عام 2024 IOM');
    const faces = Object.fromEntries((line?.segments ?? []).map((s) => [s.text, s.style.face]));
    expect(faces).toEqual({ IOM: 'serif', '2024': 'serif', عام: 'arabic' });
  });

  it('ends flush right when it is the last line, and justified lines fill the measure', () => {
    const [short] = rtlLines('كلمة قصيرة', 200);
    const right = Math.max(...(short?.segments ?? []).map((s) => s.x + s.width));
    expect(right).toBeCloseTo(200, 5);
    expect(Math.min(...(short?.segments ?? []).map((s) => s.x))).toBeGreaterThan(100);
    const text = 'يجري تجنيدهم بطرق مختلفة بحسب البلد وبحسب ما إذا كانوا ناقلين محترفين أم مجرد ناقلين';
    const lines = rtlLines(text, 150, 'justify');
    expect(lines.length).toBeGreaterThan(2);
    const first = lines[0]?.segments ?? [];
    expect(Math.min(...first.map((s) => s.x))).toBeCloseTo(0, 5);
    expect(Math.max(...first.map((s) => s.x + s.width))).toBeCloseTo(150, 5);
    // Broken in reading order: the first line holds the first words, its first word at the right.
    expect(drawn(lines[0]).at(-1)).toBe('يجري');
  });

  it('resolves a line-end neutral from the paragraph: an address broken over lines keeps its "://"', () => {
    const lines = rtlLines('لمزيد من المعلومات تفضلوا بزيارة http://www.hibiscuslondon.org.uk/', 140);
    const withAddress = lines.find((line) => drawn(line).some((text) => text.startsWith('http')));
    expect(drawn(withAddress)[0]).toMatch(/^http:\/\//);
  });
});
