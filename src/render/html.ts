// The issue model as HTML fragments, shared by the email and web editions. Everything that came
// from an issue file is escaped here; templates insert these fragments unescaped.

import type { Block, Footnote, Image, Inline } from '../issue/model.ts';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

export interface HtmlOptions {
  /** Where an image written as `images/x.png` is served from: `%%web_url%%` in mail, `` on the web. */
  imageBase: string;
  /** Prefix of footnote anchors, so that two articles' notes never collide. */
  footnotePrefix: string;
}

export function inlineHtml(inlines: readonly Inline[], options: Pick<HtmlOptions, 'footnotePrefix'>): string {
  let out = '';
  for (const node of inlines) {
    switch (node.type) {
      case 'text':
        out += escapeHtml(node.text);
        break;
      case 'code':
        out += `<code>${escapeHtml(node.text)}</code>`;
        break;
      case 'break':
        out += '<br>';
        break;
      case 'strong':
        out += `<strong>${inlineHtml(node.children, options)}</strong>`;
        break;
      case 'em':
        out += `<em>${inlineHtml(node.children, options)}</em>`;
        break;
      case 'link':
        out += `<a href="${escapeHtml(node.href)}">${inlineHtml(node.children, options)}</a>`;
        break;
      case 'footnoteRef':
        out += `<sup><a href="#${options.footnotePrefix}fn${node.number}">${node.number}</a></sup>`;
        break;
    }
  }
  return out;
}

export function imageUrl(image: Image, options: HtmlOptions): string {
  return `${options.imageBase}${image.path.split('/').map(encodeURIComponent).join('/')}`;
}

export function blocksHtml(blocks: readonly Block[], options: HtmlOptions): string {
  return blocks.map((block) => blockHtml(block, options)).join('\n');
}

export function blockHtml(block: Block, options: HtmlOptions): string {
  const inline = (content: readonly Inline[]) => inlineHtml(content, options);
  switch (block.type) {
    case 'paragraph':
      return `<p>${inline(block.content)}</p>`;
    case 'question':
      return `<p class="question"><strong>${inline(block.content)}</strong></p>`;
    case 'heading':
      return `<h3>${inline(block.content)}</h3>`;
    case 'list': {
      const tag = block.ordered ? 'ol' : 'ul';
      const start = block.ordered && block.start !== 1 ? ` start="${block.start}"` : '';
      const items = block.items.map((item) => `<li>${unwrapSingleParagraph(item, options)}</li>`).join('');
      return `<${tag}${start}>${items}</${tag}>`;
    }
    case 'quote':
      return `<blockquote>${blocksHtml(block.blocks, options)}</blockquote>`;
    case 'pullQuote':
      return `<blockquote class="pullquote">${blocksHtml(block.blocks, options)}</blockquote>`;
    case 'sidebar':
      // A div, not <aside>: mail clients drop or restyle unknown sectioning elements.
      return `<div class="sidebar" role="note">${block.title ? `<h4>${escapeHtml(block.title)}</h4>` : ''}${blocksHtml(block.blocks, options)}</div>`;
    case 'figure':
      return `<figure><img src="${escapeHtml(imageUrl(block.image, options))}" alt="${escapeHtml(block.image.alt)}" width="100%">${figcaptionHtml(block.caption, block.credit, options)}</figure>`;
    case 'table': {
      const cell = (tag: 'th' | 'td', content: Inline[], i: number) =>
        `<${tag}${block.align[i] && block.align[i] !== 'left' ? ` style="text-align:${block.align[i]}"` : ''}>${inline(content)}</${tag}>`;
      const head = `<tr>${block.header.map((c, i) => cell('th', c, i)).join('')}</tr>`;
      const rows = block.rows
        .map((row) => `<tr>${row.map((c, i) => cell('td', c, i)).join('')}</tr>`)
        .join('');
      return `<table class="data"><thead>${head}</thead><tbody>${rows}</tbody></table>`;
    }
  }
}

export function figcaptionHtml(
  caption: readonly Inline[],
  credit: string | undefined,
  options: Pick<HtmlOptions, 'footnotePrefix'>,
): string {
  if (!caption.length && !credit) return '';
  const creditHtml = credit ? ` <span class="credit">${escapeHtml(credit)}</span>` : '';
  return `<figcaption>${inlineHtml(caption, options)}${creditHtml}</figcaption>`;
}

export function footnotesHtml(footnotes: readonly Footnote[], options: HtmlOptions): string {
  if (!footnotes.length) return '';
  const items = footnotes
    .map(
      (note) =>
        `<li id="${options.footnotePrefix}fn${note.number}" value="${note.number}">${unwrapSingleParagraph(note.blocks, options)}</li>`,
    )
    .join('');
  return `<ol class="footnotes">${items}</ol>`;
}

/** A tight list item is one paragraph: no <p> inside the <li>. */
function unwrapSingleParagraph(blocks: readonly Block[], options: HtmlOptions): string {
  const [only] = blocks;
  if (blocks.length === 1 && only?.type === 'paragraph') return inlineHtml(only.content, options);
  return blocksHtml(blocks, options);
}
