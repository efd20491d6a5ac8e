// What the special blocks (programme.ts, references.ts) use of the block converter (blocks.ts),
// which in turn dispatches to them: the interface keeps the two apart.

import type { Token } from 'markdown-it';
import type { Location, Problem } from '../../problems.ts';
import type { Block, Inline } from '../model.ts';
import type { Node } from './parser.ts';

export interface Converter {
  readonly problems: Problem[];
  locate(token: Token | Location | undefined, needle?: string): Location;
  block(node: Node): Block | undefined;
  inlineOf(node: Node): Inline[];
  inlineString(text: string, at: Token | Location): Inline[];
}
