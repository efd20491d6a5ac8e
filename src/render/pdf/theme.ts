// Type sizes, leading and colours in one place. Sizes are in points; the body is set 9.5/13.
import type { Publication } from '../../issue/model.ts';
import type { Face } from './fonts.ts';
import type { Style } from './types.ts';

export interface Theme {
  primary: string;
  accent: string;
  text: string;
  muted: string;
  tint: string;
  body: Style;
  bodyLeading: number;
  style(face: Face, size: number, color?: string): Style;
}

export function themeOf(publication: Publication): Theme {
  const text = '#1a1a1a';
  const body: Style = { face: 'serif', size: 9.5, color: text };
  return {
    primary: publication.colors.primary,
    accent: publication.colors.accent,
    text,
    muted: '#555555',
    tint: '#eef2f6',
    body,
    bodyLeading: 13,
    style: (face, size, color = text) => ({ face, size, color }),
  };
}

/** Leading for a type size: 1.35 times, rounded to a quarter point. */
export function leadingOf(size: number): number {
  return Math.round(size * 1.35 * 4) / 4;
}
