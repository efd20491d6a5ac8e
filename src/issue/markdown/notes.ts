// A note on a byline (`By: Elena Petrova[^bio]`): markdown-it has numbered the reference in the
// field block; the byline keeps the author's name without it, and the note belongs to the article.
import type { Token } from 'markdown-it';
import type { Article, Byline } from '../model.ts';
import type { BlockConverter } from './blocks.ts';
import type { Node } from './parser.ts';

export function citeBylineNote(byline: Byline, fields: Node, converter: BlockConverter): void {
  const refs = fields.children[0]?.token.children ?? [];
  const ref = /\[\^([^\]\s]+)\]/.exec(byline.author);
  if (!ref) return;
  const token = refs.find(
    (t) => t.type === 'footnote_ref' && (t.meta as { label?: string }).label === ref[1],
  );
  if (!token) return; // an undefined label: the reference stays as typed, and `check` reports it
  byline.author = byline.author.replace(ref[0], '').trim();
  byline.note = (token.meta as { id: number }).id + 1;
  converter.cite(byline.note);
}

/**
 * Numbers an article's notes from 1, in the order they are first cited, as endnotes under each
 * article are read (markdown-it numbers them through the whole file).
 */
export function numberNotesByArticle(article: Article): void {
  const renumber = new Map(article.footnotes.map((note, i) => [note.number, i + 1]));
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (!value || typeof value !== 'object') return;
    const node = value as { type?: unknown; number?: unknown };
    if (node.type === 'footnoteRef' && typeof node.number === 'number') {
      node.number = renumber.get(node.number) ?? node.number;
      return;
    }
    for (const child of Object.values(node)) visit(child);
  };
  // A note cited by two articles is one Markdown definition: each article gets its own copy.
  article.footnotes = article.footnotes.map((note) => ({
    number: renumber.get(note.number) ?? note.number,
    blocks: structuredClone(note.blocks),
  }));
  visit([article.title, article.standfirst, article.blocks, article.footnotes.map((note) => note.blocks)]);
  if (article.byline?.note) article.byline.note = renumber.get(article.byline.note) ?? article.byline.note;
}

/**
 * The notes cited by the title in front matter, which markdown-it parsed with the body
 * (`front_matter_notes`): the title without their markers, their numbers, and the labels that
 * no note defines.
 */
export function citeTitleNotes(
  title: string,
  tokens: readonly Token[],
): { title: string; numbers: number[]; undefinedLabels: string[] } {
  const numbers: number[] = [];
  const undefinedLabels: string[] = [];
  let plain = title;
  for (const ref of title.matchAll(/(?<!\\)\[\^([^\]\s]+)\]/g)) {
    const token = tokens.find(
      (t) => t.type === 'footnote_ref' && (t.meta as { label?: string }).label === ref[1],
    );
    if (!token) {
      undefinedLabels.push(ref[1] as string);
      continue;
    }
    numbers.push((token.meta as { id: number }).id + 1);
    plain = plain.replace(ref[0], '');
  }
  return { title: plain.trim(), numbers, undefinedLabels };
}
