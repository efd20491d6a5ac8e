// The Markdown dialect of an issue: markdown-it with notes and ::: boxes, and its token stream as a tree.

import type { Token } from 'markdown-it';
import MarkdownIt from 'markdown-it';
import container from 'markdown-it-container';
import footnote from 'markdown-it-footnote';

export type Markdown = ReturnType<typeof MarkdownIt>;

export const BOX_TYPES = ['pullquote', 'sidebar', 'programme', 'references'] as const;

export function createMarkdown(): Markdown {
  // html: true so that raw HTML is *seen* and refused with a location, rather than silently escaped.
  const md = new MarkdownIt({ html: true, linkify: true, typographer: true });
  md.use(footnote);
  for (const name of BOX_TYPES) md.use(container, name);
  md.linkify.set({ fuzzyEmail: false });
  // The front matter's title may cite a note defined in the body: it is parsed with the body's
  // footnotes, before markdown-it-footnote drops the definitions nobody cited.
  md.core.ruler.before('footnote_tail', 'front_matter_notes', (state) => {
    const front = (state.env as { frontMatter?: FrontMatterInline }).frontMatter;
    if (!front) return;
    front.tokens = [];
    state.md.inline.parse(front.text, state.md, state.env, front.tokens);
  });
  return md;
}

/** A front-matter value parsed inline with the body, for the notes it cites. */
export interface FrontMatterInline {
  text: string;
  tokens?: Token[];
}

export interface Node {
  token: Token;
  children: Node[];
}

/** markdown-it's flat open/close stream as a tree. */
export function toTree(tokens: readonly Token[]): Node[] {
  const root: Node[] = [];
  const stack: Node[][] = [root];
  for (const token of tokens) {
    const siblings = stack[stack.length - 1] as Node[];
    if (token.nesting === 1) {
      const node = { token, children: [] };
      siblings.push(node);
      stack.push(node.children);
    } else if (token.nesting === -1) {
      stack.pop();
    } else {
      siblings.push({ token, children: [] });
    }
  }
  return root;
}
