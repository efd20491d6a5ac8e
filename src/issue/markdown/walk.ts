// The walk over an issue body's tree: sections and articles, and the field block under each
// article's title (read by the field table, src/issue/fields.ts). Blocks are converted by blocks.ts.

import type { Token } from 'markdown-it';
import { type Problem, problem } from '../../problems.ts';
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
  nodes: readonly Node[],
  converter: BlockConverter,
  publication: Publication,
  footnoteBodies: Map<number, Block[]>,
): Section[] {
  const walk = new SectionWalk(converter, publication, footnoteBodies);
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i] as Node;
    const { type, tag } = node.token;
    if (type === 'footnote_block_open') walk.notes(node);
    else if (type === 'heading_open' && tag === 'h1') walk.section(node);
    else if (type === 'heading_open' && tag === 'h2') {
      if (walk.article(node, nodes[i + 1])) i += 1; // its field block
    } else walk.block(node);
  }
  return walk.finish();
}

/** The state of the walk: the section and the article that the next node belongs to. */
class SectionWalk {
  private readonly sections: Section[] = [];
  private readonly declared: readonly { name: string; entries: boolean }[];
  /** Article link names (HTML ids), with the line of the article that took each. */
  private readonly slugs = new Map<string, number>();
  private readonly sectionSlugs: Set<string>;
  private current: Section | undefined;
  /** After an unknown section heading its articles are not reported again as outside a section. */
  private inUnknownSection = false;
  private currentArticle: Article | undefined;
  /** The notes each article cites, numbered once the whole body (and every note) is read. */
  private readonly citedNotes: { article: Article; numbers: number[] }[] = [];

  constructor(
    private readonly converter: BlockConverter,
    publication: Publication,
    private readonly footnoteBodies: Map<number, Block[]>,
  ) {
    this.declared = publication.sections;
    this.sectionSlugs = new Set(this.declared.map((s) => slugify(s.name)));
  }

  private report(...problems: Problem[]) {
    this.converter.problems.push(...problems);
  }

  notes(node: Node): void {
    for (const note of node.children) {
      const number = (note.token.meta as { id: number }).id + 1;
      this.footnoteBodies.set(number, this.converter.blocks(note.children));
    }
  }

  section(node: Node): void {
    this.closeSection();
    const { declared, sections } = this;
    const name = plainText(this.converter.inlineOf(node)).trim();
    const location = this.converter.locate(node.token);
    const index = declared.findIndex((s) => s.name.toLowerCase() === name.toLowerCase());
    const names = declared.map((s) => s.name);
    if (index < 0) {
      this.report(problem('unknown-section', { name, declared: names }, location));
      this.current = undefined;
      this.inUnknownSection = true;
      return;
    }
    this.inUnknownSection = false;
    const spec = declared[index] as { name: string; entries: boolean };
    const previous = sections[sections.length - 1];
    const previousIndex = previous ? declared.findIndex((s) => s.name === previous.name) : -1;
    if (sections.some((s) => s.name === spec.name)) {
      this.report(problem('duplicate-section', { name: spec.name }, location));
    } else if (index < previousIndex) {
      const order = { name: spec.name, previous: previous?.name ?? '', declared: names };
      this.report(problem('section-order', order, location));
    }
    this.current = {
      name: spec.name,
      label: spec.name,
      slug: slugify(spec.name),
      entries: spec.entries,
      articles: [],
      line: location.line ?? 1,
    };
    sections.push(this.current);
  }

  /** Opens the article `node` titles; true when `next` was its field block, read with it. */
  article(node: Node, next: Node | undefined): boolean {
    this.closeArticle();
    const { converter, current: section } = this;
    const location = converter.locate(node.token);
    const title = converter.inlineOf(node);
    if (!section && !this.inUnknownSection) {
      this.report(problem('article-outside-section', { title: plainText(title) }, location));
    }
    const natural = slugify(plainText(title)) || `article-${location.line}`;
    // Sections and articles share one space of HTML ids: an article named like a section gets its own.
    const slug = this.sectionSlugs.has(natural) ? `${natural}-article` : natural;
    const firstLine = this.slugs.get(slug);
    if (firstLine !== undefined) {
      this.report(problem('duplicate-slug', { title: plainText(title), firstLine }, location));
    } else this.slugs.set(slug, location.line ?? 0);
    const article: Article = { slug, title, blocks: [], footnotes: [], line: location.line ?? 0 };
    this.currentArticle = article;
    section?.articles.push(article);
    const fields = next?.token.type === 'paragraph_open' ? fieldBlock(paragraphText(next)) : undefined;
    if (next && fields) {
      this.report(...readFieldBlock(article, fields, next.token, converter, section?.entries));
      if (article.byline) citeBylineNote(article.byline, next, converter);
    }
    if (section?.entries && !article.entry) article.entry = { kind: 'publication' };
    return fields !== undefined;
  }

  /** Any other block: it belongs to the open article. */
  block(node: Node): void {
    const article = this.currentArticle;
    if (article) {
      const block = this.converter.block(node);
      if (block) article.blocks.push(block);
    } else if (!this.inUnknownSection) {
      const where = this.converter.locate(node.token);
      const section = this.current ? { section: this.current.name } : {};
      this.report(problem('text-outside-article', section, where));
    }
  }

  finish(): Section[] {
    this.closeSection();
    for (const { article, numbers } of this.citedNotes) {
      article.footnotes = [...new Set(numbers)].map(
        (number): Footnote => ({ number, blocks: this.footnoteBodies.get(number) ?? [] }),
      );
      numberNotesByArticle(article);
    }
    return this.sections;
  }

  private closeArticle() {
    const article = this.currentArticle;
    if (article) this.citedNotes.push({ article, numbers: this.converter.takeFootnoteRefs() });
    this.currentArticle = undefined;
  }

  private closeSection() {
    this.closeArticle();
    const section = this.current;
    if (section && !section.articles.length) {
      const where = { file: this.converter.locate(undefined).file, line: section.line, column: 1 };
      this.report(problem('empty-section', { name: section.name }, where));
    }
  }
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
