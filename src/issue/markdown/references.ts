// `::: references [Title]`: a bibliography. Each paragraph, or each item of a list, is one
// reference; editions set them with a hanging indent, left-aligned, without bullets.
import { problem } from '../../problems.ts';
import type { Block, Inline } from '../model.ts';
import type { Converter } from './converter.ts';
import type { Node } from './parser.ts';

export function referencesBlock(converter: Converter, container: Node): Block {
  const title = container.token.info.trim().replace(/^references\s*/, '');
  const items: Inline[][] = [];
  const add = (blocks: readonly Block[], node: Node) => {
    for (const block of blocks) {
      if (block.type === 'paragraph') items.push(block.content);
      else if (block.type === 'list') for (const item of block.items) add(item, node);
      else {
        converter.problems.push(problem('reference-content', undefined, converter.locate(node.token)));
      }
    }
  };
  for (const node of container.children) {
    // A paragraph of several lines is several references, one per line, as bibliographies are typed.
    if (node.token.type === 'paragraph_open') {
      const raw = node.children[0]?.token.content ?? '';
      for (const line of raw.split('\n')) {
        if (line.trim()) items.push(converter.inlineString(line.trim(), converter.locate(node.token)));
      }
      continue;
    }
    const block = converter.block(node);
    if (block) add([block], node);
  }
  return { type: 'references', title, items };
}
