// markdown-it's block and inline tokens → the issue model's blocks and inlines, each problem with
// its location.

import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import type { Token } from 'markdown-it';
import { type Location, type Problem, problem } from '../../problems.ts';
import { markedList, startsWithMarker } from '../lists.ts';
import { type Block, type Inline, type ListMarker, plainText } from '../model.ts';
import type { Converter } from './converter.ts';
import { BOX_TYPES, type Markdown, type Node } from './parser.ts';
import { programmeBlock } from './programme.ts';
import { referencesBlock } from './references.ts';

const ALLOWED_LINK = /^(https?:\/\/[^\s/]+|mailto:[^\s@]+@[^\s@]+)/i;
const IMAGE_TYPES = new Set(['.png', '.jpg', '.jpeg']);

/**
 * Converts markdown-it nodes to model blocks, reporting problems with their location.
 * `lineOffset` is the number of lines before the Markdown body (the front matter).
 */
export class BlockConverter implements Converter {
  readonly problems: Problem[] = [];
  /** Footnote numbers referenced since the last call to takeFootnoteRefs(). */
  private footnoteRefs: number[] = [];

  constructor(
    private readonly md: Markdown,
    private readonly file: string,
    private readonly sourceLines: readonly string[],
    private readonly lineOffset: number,
  ) {}

  /** 1-based line in the file of a block token, with the column of `needle` on that block's lines. */
  locate(token: Token | Location | undefined, needle?: string): Location {
    if (token && 'file' in token) return token;
    const start = token?.map?.[0] ?? 0;
    const end = token?.map?.[1] ?? start + 1;
    if (needle) {
      for (let i = start; i < end; i++) {
        const column = this.sourceLines[i]?.indexOf(needle) ?? -1;
        if (column >= 0) return { file: this.file, line: i + 1 + this.lineOffset, column: column + 1 };
      }
    }
    return { file: this.file, line: start + 1 + this.lineOffset, column: 1 };
  }

  /** Records a note cited outside the article's blocks (its byline): it belongs to the article. */
  cite(number: number): void {
    this.footnoteRefs.push(number);
  }

  takeFootnoteRefs(): number[] {
    const refs = this.footnoteRefs;
    this.footnoteRefs = [];
    return refs;
  }

  blocks(nodes: readonly Node[]): Block[] {
    const out: Block[] = [];
    for (const node of nodes) {
      const block = this.block(node);
      if (block) out.push(block);
    }
    return out;
  }

  block(node: Node): Block | undefined {
    const { token } = node;
    switch (token.type) {
      case 'paragraph_open':
        return this.paragraph(node);
      case 'heading_open':
        // Deeper levels than #### are set as ####; `check` warns about them.
        return { type: 'heading', level: token.tag === 'h3' ? 3 : 4, content: this.inlineOf(node) };
      case 'bullet_list_open':
      case 'ordered_list_open':
        return this.list(node);
      case 'container_programme_open':
        return programmeBlock(this, node);
      case 'container_references_open':
        return referencesBlock(this, node);
      case 'blockquote_open':
        return { type: 'quote', blocks: this.blocks(node.children) };
      case 'container_pullquote_open':
        return { type: 'pullQuote', blocks: this.blocks(node.children) };
      case 'container_sidebar_open':
        return {
          type: 'sidebar',
          title: token.info.trim().replace(/^sidebar\s*/, ''),
          blocks: this.blocks(node.children),
        };
      case 'table_open':
        return this.table(node);
      case 'code_block':
      case 'fence':
        this.problems.push(problem('indented-text', undefined, this.locate(token)));
        return {
          type: 'paragraph',
          content: [{ type: 'text', text: token.content.trim().replace(/\s+/g, ' ') }],
        };
      case 'html_block':
        this.refuseHtml(token, token.content);
        return undefined;
      case 'hr':
        this.problems.push(problem('rule', undefined, this.locate(token)));
        return undefined;
      default:
        this.problems.push(problem('unsupported-markdown', { type: token.type }, this.locate(token)));
        return undefined;
    }
  }

  private list(node: Node): Block {
    const { token } = node;
    const items = node.children.map((item) => this.blocks(item.children));
    const ordered = token.type === 'ordered_list_open';
    const start = Number(attr(token, 'start') || 1);
    if (ordered) {
      const marker: ListMarker | undefined =
        token.markup === ')' ? { numbering: 'decimal', delimiter: ')' } : undefined;
      return { type: 'list', ordered, start, ...(marker ? { marker } : {}), items };
    }
    // `- a) …` items: a lettered list typed with bullets.
    const heads = items.map((blocks) => (blocks[0]?.type === 'paragraph' ? blocks[0].content : []));
    const marked = markedList(heads);
    if (!marked) return { type: 'list', ordered, start, items };
    return {
      type: 'list',
      ordered: true,
      start: marked.start,
      marker: marked.marker,
      items: items.map((blocks, i) => [
        { type: 'paragraph', content: marked.items[i] as Inline[] },
        ...blocks.slice(1),
      ]),
    };
  }

  private paragraph(node: Node): Block | undefined {
    const inlineToken = node.children[0]?.token;
    const children = inlineToken?.children ?? [];
    const first = children[0];
    if (first?.type === 'image') return this.figure(node.token, children);
    // Lines that each start a) b) c) or (i) (ii) are a lettered list.
    const rawLines = (inlineToken?.content ?? '').split('\n');
    const lines = splitOnSoftbreaks(children);
    if (rawLines.length > 1 && rawLines.every(startsWithMarker) && lines.length === rawLines.length) {
      const before = { problems: this.problems.length, refs: this.footnoteRefs.length };
      const marked = markedList(lines.map((line) => this.inlines(line, node.token)));
      // Not a list after all: the paragraph is converted below, and must not report things twice.
      if (!marked) {
        this.problems.length = before.problems;
        this.footnoteRefs.length = before.refs;
      }
      if (marked) {
        return {
          type: 'list',
          ordered: true,
          start: marked.start,
          marker: marked.marker,
          items: marked.items.map((content) => [{ type: 'paragraph', content }]),
        };
      }
    }
    const raw = inlineToken?.content ?? '';
    if (/^:::/.test(raw)) {
      this.problems.push(
        problem('unknown-box', { line: raw.split('\n')[0] ?? '', boxes: BOX_TYPES }, this.locate(node.token)),
      );
    }
    const content = this.inlines(children, node.token);
    const question = stripPrefix(content, /^Q:\s*/);
    if (question) return { type: 'question', content: question };
    return { type: 'paragraph', content: stripPrefix(content, /^A:\s*/) ?? content };
  }

  private figure(paragraph: Token, children: Token[]): Block | undefined {
    const lines = splitOnSoftbreaks(children);
    const [imageLine = [], ...rest] = lines;
    const image = imageLine[0] as Token;
    if (imageLine.slice(1).some((t) => t.type !== 'text' || t.content.trim())) {
      this.problems.push(problem('image-not-alone', undefined, this.locate(paragraph, '![')));
    }
    const src = attr(image, 'src');
    const alt = image.children?.map((t) => t.content).join('') ?? image.content;
    const location = this.locate(paragraph, src);
    let ok = true;
    if (!alt.trim()) {
      ok = false;
      this.problems.push(problem('missing-alt', { src }, location));
    }
    const file = resolve(this.file, '..', decodeURI(src));
    if (/^[a-z]+:/i.test(src) || src.startsWith('/') || src.split('/').includes('..')) {
      ok = false;
      this.problems.push(problem('image-path', { src }, location));
    } else if (!IMAGE_TYPES.has(extname(src).toLowerCase())) {
      ok = false;
      this.problems.push(problem('image-type', { src }, location));
    } else if (!existsSync(file)) {
      ok = false;
      this.problems.push(problem('image-not-found', { src, file }, location));
    }
    let caption: Inline[] = [];
    let credit: string | undefined;
    for (const line of rest) {
      const content = this.inlines(line, paragraph);
      const asCaption = stripPrefix(content, /^Caption:\s*/i);
      const asCredit = stripPrefix(content, /^Credit:\s*/i);
      if (asCaption) caption = asCaption;
      else if (asCredit) credit = plainText(asCredit);
      else {
        this.problems.push(
          problem('figure-line', undefined, this.locate(paragraph, line[0]?.content.slice(0, 20))),
        );
      }
    }
    if (!ok) return undefined;
    return { type: 'figure', image: { file, path: src, alt: alt.trim() }, caption, credit };
  }

  private table(node: Node): Block {
    const rows = node.children.flatMap((part) => part.children);
    const cells = (row: Node) => row.children.map((cell) => this.inlineOf(cell));
    const headerRow = rows[0];
    const align = (headerRow?.children ?? []).map((cell) => {
      const style = attr(cell.token, 'style');
      return style.includes('right') ? 'right' : style.includes('center') ? 'center' : 'left';
    });
    return {
      type: 'table',
      align,
      header: headerRow ? cells(headerRow) : [],
      rows: rows.slice(1).map(cells),
    };
  }

  /** The inline content of a block node such as a heading, a paragraph or a table cell. */
  inlineOf(node: Node): Inline[] {
    const inline = node.children.find((c) => c.token.type === 'inline')?.token;
    return this.inlines(inline?.children ?? [], node.token);
  }

  /** Parses a one-line Markdown string (a field's value) into inlines. */
  inlineString(text: string, at: Token | Location): Inline[] {
    const [inline] = this.md.parseInline(text, {});
    return this.inlines(inline?.children ?? [], at);
  }

  inlines(tokens: readonly Token[], block: Token | Location): Inline[] {
    const root: Inline[] = [];
    const stack: Inline[][] = [root];
    const push = (inline: Inline) => {
      const siblings = stack[stack.length - 1] as Inline[];
      const last = siblings[siblings.length - 1];
      if (inline.type === 'text' && last?.type === 'text') last.text += inline.text;
      else siblings.push(inline);
    };
    const open = (inline: Inline & { children: Inline[] }) => {
      push(inline);
      stack.push(inline.children);
    };
    for (const token of tokens) {
      switch (token.type) {
        case 'text':
          push({ type: 'text', text: token.content });
          break;
        case 'softbreak':
          push({ type: 'text', text: ' ' });
          break;
        case 'hardbreak':
          push({ type: 'break' });
          break;
        case 'code_inline':
          push({ type: 'code', text: token.content });
          break;
        case 'strong_open':
          open({ type: 'strong', children: [] });
          break;
        case 'em_open':
        case 's_open':
          open({ type: 'em', children: [] });
          break;
        case 'link_open': {
          const href = attr(token, 'href');
          if (!ALLOWED_LINK.test(href)) {
            this.problems.push(problem('link-not-absolute', { href }, this.locate(block, href)));
          }
          open({ type: 'link', href, children: [] });
          break;
        }
        case 'strong_close':
        case 'em_close':
        case 's_close':
        case 'link_close':
          if (stack.length > 1) stack.pop();
          break;
        case 'footnote_ref': {
          const number = (token.meta as { id: number }).id + 1;
          this.footnoteRefs.push(number);
          push({ type: 'footnoteRef', number });
          break;
        }
        case 'footnote_anchor':
          break;
        case 'html_inline':
          this.refuseHtml(block, token.content);
          break;
        case 'image':
          this.problems.push(problem('inline-image', undefined, this.locate(block, '![')));
          break;
        default:
          push({ type: 'text', text: token.content });
      }
    }
    return trimInlines(root);
  }

  private readonly refusedHtmlIn = new Set<Token | Location>();

  /** One problem per block: `<b>x</b>` is one mistake, not two. */
  private refuseHtml(at: Token | Location, html: string) {
    if (this.refusedHtmlIn.has(at)) return;
    this.refusedHtmlIn.add(at);
    const tag = html.trim().split('\n')[0]?.slice(0, 40) ?? '';
    this.problems.push(problem('raw-html', { tag }, this.locate(at, tag)));
  }
}

/** markdown-it types attributes as string | number; every one we read is a string. */
function attr(token: Token, name: string): string {
  const value = token.attrGet(name);
  return value === null || value === undefined ? '' : String(value);
}

function splitOnSoftbreaks(tokens: readonly Token[]): Token[][] {
  const lines: Token[][] = [[]];
  for (const token of tokens) {
    if (token.type === 'softbreak' || token.type === 'hardbreak') lines.push([]);
    else (lines[lines.length - 1] as Token[]).push(token);
  }
  return lines.filter((line) => line.length);
}

/** If the inlines start with text matching `prefix`, returns them without it. */
function stripPrefix(inlines: Inline[], prefix: RegExp): Inline[] | undefined {
  const first = inlines[0];
  if (first?.type !== 'text' || !prefix.test(first.text)) return undefined;
  const rest = first.text.replace(prefix, '');
  return rest ? [{ type: 'text', text: rest }, ...inlines.slice(1)] : inlines.slice(1);
}

function trimInlines(inlines: Inline[]): Inline[] {
  const first = inlines[0];
  if (first?.type === 'text') first.text = first.text.replace(/^\s+/, '');
  const last = inlines[inlines.length - 1];
  if (last?.type === 'text') last.text = last.text.replace(/\s+$/, '');
  return inlines.filter((i) => i.type !== 'text' || i.text);
}
