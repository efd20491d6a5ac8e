// A note on a byline (`By: Elena Petrova[^bio]`): markdown-it has numbered the reference in the
// field block; the byline keeps the author's name without it, and the note belongs to the article.
import type { BlockConverter, Node } from './markdown.ts';
import type { Byline } from './model.ts';

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
