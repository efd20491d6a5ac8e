// Inline model → styled pieces of text, the input of line breaking. Emphasis changes the face, links
// keep their target (one object per link so a link broken over two lines stays one link).
import type { Inline } from '../../../issue/model.ts';
import { withEmphasis } from '../fonts.ts';
import type { LinkTarget, Style } from '../types.ts';

export interface Piece {
  text: string;
  style: Style;
  link?: LinkTarget;
  /** A forced line break (Markdown hard break). */
  lineBreak?: boolean;
  /** A note's reference: the column holding this line sets the note at its foot. */
  note?: number;
}

export function piecesOf(inlines: readonly Inline[], style: Style, linkColor: string): Piece[] {
  const out: Piece[] = [];
  const walk = (nodes: readonly Inline[], current: Style, link: LinkTarget | undefined) => {
    for (const node of nodes) {
      switch (node.type) {
        case 'text':
          out.push({ text: node.text, style: current, link });
          break;
        case 'code':
          out.push({ text: node.text, style: { ...current, face: 'sans' }, link });
          break;
        case 'strong':
        case 'em':
          walk(node.children, { ...current, face: withEmphasis(current.face, node.type) }, link);
          break;
        case 'link':
          walk(node.children, { ...current, color: linkColor }, { href: node.href });
          break;
        case 'break':
          out.push({ text: '', style: current, lineBreak: true });
          break;
        case 'footnoteRef':
          out.push({
            text: String(node.number),
            style: { ...current, size: current.size * 0.65, rise: current.size * 0.35 },
            link,
            note: node.number,
          });
          break;
      }
    }
  };
  walk(inlines, style, undefined);
  return out;
}
