// Fonts come from npm packages (Noto Serif for text, Noto Sans for display type), so a build needs no
// system fonts and no download. pdfkit embeds each font as a subset of the glyphs actually drawn.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export type Face = 'serif' | 'serifItalic' | 'serifBold' | 'serifBoldItalic' | 'sans' | 'sansBold';

const FILES: Record<Face, string> = {
  serif: '@expo-google-fonts/noto-serif/400Regular/NotoSerif_400Regular.ttf',
  serifItalic: '@expo-google-fonts/noto-serif/400Regular_Italic/NotoSerif_400Regular_Italic.ttf',
  serifBold: '@expo-google-fonts/noto-serif/700Bold/NotoSerif_700Bold.ttf',
  serifBoldItalic: '@expo-google-fonts/noto-serif/700Bold_Italic/NotoSerif_700Bold_Italic.ttf',
  sans: '@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf',
  sansBold: '@expo-google-fonts/noto-sans/700Bold/NotoSans_700Bold.ttf',
};

export function registerFonts(doc: PDFKit.PDFDocument): void {
  for (const [face, file] of Object.entries(FILES)) doc.registerFont(face, require.resolve(file));
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

/**
 * Widths of text at 1pt, cached per face: line breaking measures the same words many times, and
 * fontkit's shaping is the costly part of a build.
 */
export class Measurer {
  private readonly cache = new Map<Face, Map<string, number>>();
  constructor(private readonly doc: PDFKit.PDFDocument) {}

  width(text: string, face: Face, size: number): number {
    let widths = this.cache.get(face);
    if (!widths) {
      widths = new Map();
      this.cache.set(face, widths);
    }
    let unit = widths.get(text);
    if (unit === undefined) {
      unit = this.doc.font(face).fontSize(1).widthOfString(text);
      widths.set(text, unit);
    }
    return unit * size;
  }
}
