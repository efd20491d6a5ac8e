// The logical structure (tags) of the document. Layout builds a tree of StructNodes in the order of
// the issue file; painting turns a node into a pdfkit structure element the first time something of
// it is drawn, so the structure tree's order is the reading order whatever the columns do.

export type StructType =
  | 'Document'
  | 'Sect'
  | 'Art'
  | 'Div'
  | 'H1'
  | 'H2'
  | 'H3'
  | 'H4'
  | 'P'
  | 'L'
  | 'LI'
  | 'Lbl'
  | 'LBody'
  | 'BlockQuote'
  | 'Figure'
  | 'Caption'
  | 'Table'
  | 'TR'
  | 'TH'
  | 'TD'
  | 'Note'
  | 'TOC'
  | 'TOCI'
  | 'Reference';

export interface StructNode {
  type: StructType;
  parent?: StructNode;
  /** Alternative text (figures) or a title (sections, articles). */
  alt?: string;
  title?: string;
  /** Table header cells: which cells they head. */
  scope?: 'Column' | 'Row';
}

export function node(type: StructType, parent?: StructNode, extra: Partial<StructNode> = {}): StructNode {
  return { type, parent, ...extra };
}

/**
 * Turns StructNodes into pdfkit structure elements, each the first time it is asked for (painting asks
 * for all of them in reading order first), and marks drawn content as belonging to them.
 */
export class Tagger {
  private readonly elements = new Map<StructNode, PDFKit.PDFStructureElement>();
  private readonly roots: PDFKit.PDFStructureElement[] = [];
  /** Link elements of the current page, ended when the page is left (their annotations belong to it). */
  private links = new Map<object, PDFKit.PDFStructureElement>();

  constructor(private readonly doc: PDFKit.PDFDocument) {}

  element(target: StructNode): PDFKit.PDFStructureElement {
    const existing = this.elements.get(target);
    if (existing) return existing;
    const options: Record<string, unknown> = {};
    if (target.alt) options.alt = target.alt;
    if (target.title) options.title = target.title;
    if (target.scope) options.scope = target.scope;
    const created = this.doc.struct(target.type, options);
    this.elements.set(target, created);
    if (target.parent) this.element(target.parent).add(created);
    else {
      this.doc.addStructure(created);
      this.roots.push(created);
    }
    return created;
  }

  /** Draws `paint` as marked content belonging to `target`. */
  mark(target: StructNode, paint: () => void): void {
    const element = this.element(target);
    const content = this.doc.markStructureContent(target.type);
    paint();
    this.doc.endMarkedContent();
    element.add(content);
  }

  /**
   * Draws `paint` as content of the Link element of one link occurrence (`key`) under `parent`, and
   * returns the element, to which the caller ties the link's annotation.
   */
  markLink(parent: StructNode, key: object, paint: () => void): PDFKit.PDFStructureElement {
    let element = this.links.get(key);
    if (!element) {
      element = this.doc.struct('Link');
      this.element(parent).add(element);
      this.links.set(key, element);
    }
    const content = this.doc.markStructureContent('Link');
    paint();
    this.doc.endMarkedContent();
    element.add(content);
    return element;
  }

  /** Call before leaving a page: a link continued on the next page gets a new Link element there. */
  endPage(): void {
    for (const element of this.links.values()) element.end();
    this.links = new Map();
  }

  /** Drawn but not content: running headers, rules, tints. */
  artifact(paint: () => void, type: 'Pagination' | 'Layout' = 'Layout'): void {
    this.doc.markContent('Artifact', { type });
    paint();
    this.doc.endMarkedContent();
  }

  end(): void {
    this.endPage();
    for (const root of this.roots) root.end();
  }
}
