// What pdfkit 0.20 and fontkit 2 do that @types/pdfkit (written for 0.17) does not describe yet.
declare namespace PDFKit {
  interface PDFDocument {
    /** Reads an image without drawing it: its pixel size lays out the figure. */
    openImage(src: string): { width: number; height: number };
    /** pdfkit ≥ 0.20 takes an already parsed fontkit font. */
    registerFont(name: string, src: import('fontkit').Font): this;
  }
  namespace Mixins {
    interface AnnotationOption {
      /** Ties a link annotation to its Link structure element (PDF/UA). */
      structParent?: PDFStructureElement;
    }
  }
}

declare module 'fontkit' {
  /** A shaped text: one glyph and one position per glyph. */
  export interface GlyphRun {
    glyphs: Array<{ id: number; advanceWidth: number; codePoints: number[] }>;
    positions: Array<{ xAdvance: number; yAdvance: number; xOffset: number; yOffset: number }>;
    readonly advanceWidth: number;
  }
  /** The part of a fontkit font that measuring and shaping text needs. */
  export interface Font {
    unitsPerEm: number;
    layout(text: string, ...options: unknown[]): GlyphRun;
    hasGlyphForCodePoint(codePoint: number): boolean;
    glyphForCodePoint(codePoint: number): unknown;
    /** Every code point the font maps to a glyph. */
    characterSet: number[];
  }
  export function openSync(path: string): unknown;
}
