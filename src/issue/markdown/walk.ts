// The walk over an issue body's tree: sections and articles, and the field block under each
// article's title (read by the field table, src/issue/fields.ts). Blocks are converted by blocks.ts.

import type { Token } from 'markdown-it';
import { problem } from '../../problems.ts';
import { type FieldLine, fieldBlock, readFields } from '../fields.ts';
import type { Article, Block, Footnote, Publication, Section } from '../model.ts';
import { plainText } from '../model.ts';
import { slugify } from '../slug.ts';
import type { BlockConverter } from './blocks.ts';
import { citeBylineNote, numberNotesByArticle } from './notes.ts';
import type { Node } from './parser.ts';

/**
 * The body's sections and articles, from markdown-it's tree: `#` a section, `##` an article, the
 * field block under its title, then its blocks. `footnoteBodies` receives every note's blocks, by
 * number, for the notes cited outside articles.
 */
export function readSections(
  nodes: Node[],
  converter: BlockConverter,
  publication: Publication,
  footnoteBodies: Map<number, Block[]>,
): Section[] {
  const sections: Section[] = [];
  const declared = publication.sections;
  const slugs = new Map<string, number>();
  const sectionSlugs = new Set(declared.map((s) => slugify(s.name)));
  let section: Section | undefined;
  // After an unknown section heading its articles are not reported again as outside a section.
  let inUnknownSection = false;
  let article: Article | undefined;
  const pendingFootnotes: { article: Article; numbers: number[] }[] = [];

  const closeArticle = () => {
    if (article) pendingFootnotes.push({ article, numbers: converter.takeFootnoteRefs() });
    article = undefined;
  };
  const closeSection = () => {
    closeArticle();
    if (section && !section.articles.length) {
      const where = { file: converter.locate(undefined).file, line: section.line, column: 1 };
      converter.problems.push(problem('empty-section', { name: section.name }, where));
    }
  };

  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i] as Node;
    const { token } = node;
    if (token.type === 'footnote_block_open') {
      for (const note of node.children) {
        footnoteBodies.set((note.token.meta as { id: number }).id + 1, converter.blocks(note.children));
      }
      continue;
    }
    if (token.type === 'heading_open' && token.tag === 'h1') {
      closeSection();
      const name = plainText(converter.inlineOf(node)).trim();
      const location = converter.locate(token);
      const index = declared.findIndex((s) => s.name.toLowerCase() === name.toLowerCase());
      if (index < 0) {
        converter.problems.push(
          problem('unknown-section', { name, declared: declared.map((s) => s.name) }, location),
        );
        section = undefined;
        inUnknownSection = true;
        continue;
      }
      inUnknownSection = false;
      const spec = declared[index] as { name: string; entries: boolean };
      const previous = sections[sections.length - 1];
      const previousIndex = previous ? declared.findIndex((s) => s.name === previous.name) : -1;
      if (sections.some((s) => s.name === spec.name)) {
        converter.problems.push(problem('duplicate-section', { name: spec.name }, location));
      } else if (index < previousIndex) {
        const order = {
          name: spec.name,
          previous: previous?.name ?? '',
          declared: declared.map((s) => s.name),
        };
        converter.problems.push(problem('section-order', order, location));
      }
      section = {
        name: spec.name,
        slug: slugify(spec.name),
        entries: spec.entries,
        articles: [],
        line: location.line ?? 1,
      };
      sections.push(section);
      continue;
    }
    if (token.type === 'heading_open' && token.tag === 'h2') {
      closeArticle();
      const location = converter.locate(token);
      const title = converter.inlineOf(node);
      if (!section && !inUnknownSection) {
        converter.problems.push(problem('article-outside-section', { title: plainText(title) }, location));
      }
      const natural = slugify(plainText(title)) || `article-${location.line}`;
      // Sections and articles share one space of HTML ids: an article named like a section gets its own.
      const slug = sectionSlugs.has(natural) ? `${natural}-article` : natural;
      const firstLine = slugs.get(slug);
      if (firstLine !== undefined) {
        converter.problems.push(problem('duplicate-slug', { title: plainText(title), firstLine }, location));
      } else slugs.set(slug, location.line ?? 0);
      article = { slug, title, blocks: [], footnotes: [], line: location.line ?? 0 };
      section?.articles.push(article);
      const next = nodes[i + 1];
      const fields = next?.token.type === 'paragraph_open' ? fieldBlock(paragraphText(next)) : undefined;
      if (next && fields) {
        converter.problems.push(...readFieldBlock(article, fields, next.token, converter, section?.entries));
        if (article.byline) citeBylineNote(article.byline, next, converter);
        i += 1;
      }
      if (section?.entries && !article.entry) article.entry = { kind: 'publication' };
      continue;
    }
    if (!article) {
      if (!inUnknownSection) {
        const where = converter.locate(token);
        converter.problems.push(
          problem('text-outside-article', section ? { section: section.name } : {}, where),
        );
      }
      continue;
    }
    const block = converter.block(node);
    if (block) article.blocks.push(block);
  }
  closeSection();
  for (const { article: owner, numbers } of pendingFootnotes) {
    owner.footnotes = [...new Set(numbers)].map(
      (number): Footnote => ({ number, blocks: footnoteBodies.get(number) ?? [] }),
    );
    numberNotesByArticle(owner);
  }
  return sections;
}

function paragraphText(node: Node): string {
  return node.children[0]?.token.content ?? '';
}

/** Reads the field block that `at` opens; its problems are located on each field's own line. */
function readFieldBlock(
  article: Article,
  fields: readonly FieldLine[],
  at: Token,
  converter: BlockConverter,
  entries = false,
) {
  const first = converter.locate(at);
  return readFields(article, fields, {
    entries,
    locate: (index) => ({ file: first.file, line: (first.line ?? 1) + index, column: 1 }),
    inline: (text) => converter.inlineString(text, at),
  });
}
