// The PDF edition: complete text in reading order, geometry from the layout itself (nothing outside
// its column or page, nothing over anything else, no heading last in a column, no widows or
// orphans), and the file as the poppler and qpdf tools see it (tagged, titled, fonts embedded).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIssue } from '../../../src/issue/load.ts';
import type { Issue } from '../../../src/issue/model.ts';
import { unsupportedCharacters } from '../../../src/render/pdf/fonts.ts';
import { type PdfLayout, type PlacedBox, renderPdf } from '../../../src/render/pdf/index.ts';
import { authoredText, recall, words } from '../../support/recall.ts';

const PUBLIC_URL = 'https://bulletin.example.org';
const work = mkdtempSync(join(tmpdir(), 'bulletin-pdf-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Rendered {
  issue: Issue;
  layout: PdfLayout;
  file: string;
  text: string;
}

async function render(issue: Issue, name: string): Promise<Rendered> {
  const { pdf, layout } = await renderPdf(issue, { publicUrl: PUBLIC_URL });
  const file = join(work, `${name}.pdf`);
  writeFileSync(file, pdf);
  return {
    issue,
    layout,
    file,
    text: execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }),
  };
}

function load(path: string): Issue {
  const { issue, problems } = loadIssue(path);
  if (!issue) throw new Error(problems.map((p) => p.message).join('\n'));
  return issue;
}

function withPdf(issue: Issue, pdf: Partial<Issue['publication']['pdf']>): Issue {
  return { ...issue, publication: { ...issue.publication, pdf: { ...issue.publication.pdf, ...pdf } } };
}

const CONTENT: ReadonlySet<PlacedBox['kind']> = new Set([
  'masthead',
  'heading',
  'text',
  'figure',
  'caption',
  'rule',
]);

function overlaps(a: PlacedBox, b: PlacedBox): boolean {
  const e = 0.01;
  return (
    a.x < b.x + b.width - e && b.x < a.x + a.width - e && a.y < b.y + b.height - e && b.y < a.y + a.height - e
  );
}

/** Geometry every layout must satisfy. */
function expectSoundLayout({ layout }: Rendered) {
  const e = 0.01;
  for (const box of layout.boxes) {
    const page = layout.pages[box.page - 1];
    expect(page, `page of ${box.kind}`).toBeDefined();
    if (!page) continue;
    expect(box.x).toBeGreaterThanOrEqual(-e);
    expect(box.y).toBeGreaterThanOrEqual(-e);
    expect(box.x + box.width).toBeLessThanOrEqual(page.width + e);
    expect(box.y + box.height).toBeLessThanOrEqual(page.height + e);
    const area =
      box.column >= 0
        ? page.columns[box.column]
        : ['header', 'footer', 'rule'].includes(box.kind)
          ? undefined
          : page.body;
    if (!area) continue;
    const where = `${box.kind} on page ${box.page}, column ${box.column}`;
    expect(box.x, where).toBeGreaterThanOrEqual(area.x - e);
    expect(box.x + box.width, where).toBeLessThanOrEqual(area.x + area.width + e);
    expect(box.y, where).toBeGreaterThanOrEqual(area.y - e);
    expect(box.y + box.height, where).toBeLessThanOrEqual(area.y + area.height + e);
    // Lines are as wide as their box at most: nothing drawn beyond the measure.
    for (const line of box.lines ?? []) {
      for (const segment of line.segments)
        expect(segment.x + segment.width, where).toBeLessThanOrEqual(box.width + 0.5);
    }
  }
  const content = layout.boxes.filter((b) => CONTENT.has(b.kind) && b.height > 0);
  for (let i = 0; i < content.length; i++) {
    for (let j = i + 1; j < content.length; j++) {
      const a = content[i] as PlacedBox;
      const b = content[j] as PlacedBox;
      if (a.page === b.page && overlaps(a, b)) {
        expect.fail(`${a.kind} at ${a.x},${a.y} overlaps ${b.kind} at ${b.x},${b.y} on page ${a.page}`);
      }
    }
  }
}

function expectNoLoneHeadings({ layout }: Rendered) {
  for (const heading of layout.boxes.filter((b) => b.kind === 'heading' && b.column >= 0)) {
    const below = layout.boxes.some(
      (b) =>
        b.page === heading.page &&
        b.column === heading.column &&
        b.y > heading.y &&
        (b.kind === 'text' || b.kind === 'figure' || b.kind === 'caption'),
    );
    expect(below, `heading on page ${heading.page} column ${heading.column} at ${heading.y}`).toBe(true);
  }
}

/** A paragraph broken over columns leaves two lines at least on either side. */
function expectNoWidowsOrOrphans({ layout }: Rendered) {
  const fragments = new Map<object, PlacedBox[]>();
  for (const box of layout.boxes) {
    if (box.kind !== 'text' || !box.struct || !box.lines) continue;
    fragments.set(box.struct, [...(fragments.get(box.struct) ?? []), box]);
  }
  for (const parts of fragments.values()) {
    if (parts.length < 2) continue;
    for (const part of parts) expect(part.lines?.length).toBeGreaterThanOrEqual(2);
  }
}

function expectCompleteText(rendered: Rendered, minimumRecall = 0.98, minimumOrder = 0.95) {
  const result = recall(authoredText(readFileSync(rendered.issue.file, 'utf8')), rendered.text);
  expect(result.recall).toBeGreaterThanOrEqual(minimumRecall);
  expect(result.order).toBeGreaterThanOrEqual(minimumOrder);
}

function tool(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
}

describe.each([
  ['global-eye', 'issues/global-eye/005.md'],
  ['trafficking-in-migrants', 'issues/trafficking-in-migrants/025.md'],
])('the PDF edition of %s', (name, path) => {
  let rendered: Rendered;
  beforeAll(async () => {
    rendered = await render(load(path), name);
  });

  it("has the issue's words, in reading order, as pdftotext extracts them", () => {
    expectCompleteText(rendered);
  });

  it('places every box inside its column and page, and none over another', () => {
    expectSoundLayout(rendered);
  });

  it('never leaves a heading last in a column, nor a single line of a paragraph', () => {
    expectNoLoneHeadings(rendered);
    expectNoWidowsOrOrphans(rendered);
  });

  it('opens each section with its label and numbers every page "n of N"', () => {
    const { issue, layout, text } = rendered;
    for (const section of issue.sections) expect(text).toContain(section.name.toUpperCase());
    const total = layout.pages.length;
    for (let n = 1; n <= total; n++) expect(text).toContain(`Page ${n} of ${total}`);
  });

  it('records the page of every article, in reading order, as the contents box shows', () => {
    const { issue, layout } = rendered;
    const pages = issue.sections.flatMap((s) => s.articles.map((a) => layout.articlePages[a.slug] ?? 0));
    expect(pages.every((page) => page >= 1 && page <= layout.pages.length)).toBe(true);
    expect([...pages].sort((a, b) => a - b)).toEqual(pages);
  });

  it('carries the back matter: next issue, disclaimer, address, subscription and web edition', () => {
    const { issue, text } = rendered;
    const { publication } = issue;
    // Addresses break after a slash or hyphen at the end of a line.
    const flat = text.replace(/([/-])\n/g, '$1').replace(/\s+/g, ' ');
    expect(flat).toContain('On the next issue');
    expect(flat).toContain(publication.publisher.address[0] as string);
    expect(flat).toContain(`To subscribe please send an email to ${publication.listAddress}`);
    expect(flat).toContain(`${PUBLIC_URL}/${publication.slug}/${issue.code}/`);
    expect(words(text).join(' ')).toContain(words(publication.disclaimer ?? '').join(' '));
  });

  it('is a well-formed, tagged PDF with its title and only embedded fonts', () => {
    const { file, issue } = rendered;
    const check = spawnSync('qpdf', ['--check', file], { encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain('No syntax or stream encoding errors found');
    const info = tool('pdfinfo', [file]);
    expect(info).toMatch(/^Tagged:\s+yes$/m);
    expect(info).toMatch(new RegExp(`^Title:.*${issue.title.replace(/[?]/g, '\\?')}`, 'm'));
    expect(info).toMatch(/^Page size:\s+595\.28 x 841\.89 pts \(A4\)$/m);
    const fonts = tool('pdffonts', [file]).split('\n').slice(2).filter(Boolean);
    expect(fonts.length).toBeGreaterThan(0);
    // name type encoding emb sub uni object ID: every font embedded and subset.
    for (const font of fonts) expect(font).toMatch(/\s+yes\s+yes\s+yes\s+\d+\s+\d+$/);
  });

  it('marks everything drawn as tagged content or as an artifact (PDF/UA)', () => {
    const { file } = rendered;
    const pages = tool('qpdf', ['--show-pages', file]);
    const streams = [...pages.matchAll(/^\s+(\d+) 0 R$/gm)].map((m) => m[1] as string);
    expect(streams.length).toBe(rendered.layout.pages.length);
    for (const stream of streams) {
      const content = tool('qpdf', [`--show-object=${stream}`, '--filtered-stream-data', file]);
      let depth = 0;
      for (const line of content.split('\n')) {
        if (/\b(BDC|BMC)$/.test(line)) depth += 1;
        else if (line === 'EMC') depth -= 1;
        else if (/(^| )(TJ|Tj|Do|f|S|B)$/.test(line))
          expect(depth, `"${line}" outside marked content`).toBeGreaterThan(0);
      }
      expect(depth).toBe(0);
    }
  });

  it('tags headings, paragraphs, lists, figures with their alt text, and links', () => {
    const { file, issue } = rendered;
    const tree = tool('pdfinfo', ['-struct', file]);
    for (const tag of ['Document', 'Sect', 'Art', 'H1', 'H2', 'H3', 'P', 'L', 'LI', 'Lbl', 'LBody', 'Link']) {
      expect(tree).toMatch(new RegExp(`^\\s*${tag}\\b`, 'm'));
    }
    const figures = issue.sections.flatMap((s) =>
      s.articles.flatMap((a) => a.blocks.filter((b) => b.type === 'figure')),
    );
    expect((tree.match(/^\s*Figure\b/gm) ?? []).length).toBe(figures.length);
    const raw = tool('qpdf', ['--qdf', '--object-streams=disable', file, '-']);
    for (const figure of figures) {
      if (figure.type === 'figure')
        expect(raw).toContain(`/Alt (${figure.image.alt.replace(/[()]/g, '\\$&')})`);
    }
    expect(raw).toContain(`/Lang (${issue.publication.language})`);
    expect(raw).toContain('/Artifact');
    expect(raw).toMatch(/\/Outlines \d+ 0 R/);
  });
});

describe('fonts', () => {
  it('have a glyph for every character of the sample issues, in every face', () => {
    // The seeds' own: accents, N°, curly quotes, dashes; and names in Greek and Cyrillic script.
    const text = [
      readFileSync('issues/global-eye/005.md', 'utf8'),
      readFileSync('issues/trafficking-in-migrants/025.md', 'utf8'),
      'é ü ç ñ ø ß N° “ ” ‘ ’ – — … · • Ελλάδα Україна',
    ].join('\n');
    const faces = ['serif', 'serifItalic', 'serifBold', 'serifBoldItalic', 'sans', 'sansBold'] as const;
    for (const face of faces) expect(unsupportedCharacters(text, face), face).toEqual([]);
  });
});

describe('publication options', () => {
  let issue: Issue;
  beforeAll(() => {
    issue = load('issues/trafficking-in-migrants/025.md');
  });

  it('sets US Letter pages when publication.yml asks for Letter', async () => {
    const rendered = await render(withPdf(issue, { paper: 'Letter' }), 'letter');
    expect(tool('pdfinfo', [rendered.file])).toMatch(/^Page size:\s+612 x 792 pts \(letter\)$/m);
    expect(rendered.layout.pages.every((p) => p.width === 612 && p.height === 792)).toBe(true);
    expectSoundLayout(rendered);
    expectCompleteText(rendered);
  });

  it.each([1, 3])('flows the articles in %i column(s)', async (columns) => {
    const rendered = await render(withPdf(issue, { columns }), `columns-${columns}`);
    const { layout } = rendered;
    expect(layout.pages.every((p) => p.columns.length === columns)).toBe(true);
    const used = new Set(layout.boxes.filter((b) => b.kind === 'text' && b.column >= 0).map((b) => b.column));
    expect([...used].sort()).toEqual(Array.from({ length: columns }, (_, i) => i));
    expectSoundLayout(rendered);
    expectNoLoneHeadings(rendered);
    expectCompleteText(rendered);
  });
});

describe('a long article', () => {
  let rendered: Rendered;
  beforeAll(async () => {
    const folder = join(work, 'long');
    execFileSync('mkdir', ['-p', folder]);
    writeFileSync(join(folder, 'publication.yml'), LONG_PUBLICATION);
    writeFileSync(join(folder, '001.md'), longIssue());
    rendered = await render(load(join(folder, '001.md')), 'long');
  });

  it('continues over columns and pages without losing a word', () => {
    const { layout, issue } = rendered;
    const slug = issue.sections[0]?.articles[0]?.slug as string;
    expect(layout.articlePages[slug]).toBe(1);
    expect(layout.pages.length).toBeGreaterThanOrEqual(4);
    const columns = new Set(
      layout.boxes.filter((b) => b.kind === 'text').map((b) => `${b.page}/${b.column}`),
    );
    expect(columns.size).toBeGreaterThanOrEqual(7);
    expectCompleteText(rendered, 0.995, 0.99);
  });

  it('keeps its geometry sound: lists, a table, a quotation, a sidebar and notes included', () => {
    expectSoundLayout(rendered);
    expectNoLoneHeadings(rendered);
    expectNoWidowsOrOrphans(rendered);
    const tree = tool('pdfinfo', ['-struct', rendered.file]);
    for (const tag of ['Table', 'TR', 'TH', 'TD', 'BlockQuote', 'Note'])
      expect(tree).toMatch(new RegExp(`^\\s*${tag}\\b`, 'm'));
  });

  it('breaks a word longer than the column instead of letting it run over', () => {
    expect(rendered.text.replace(/\n/g, '')).toContain('Supercalifragilisticexpialidocious'.repeat(4));
  });
});

const LONG_PUBLICATION = `name: Long Test Bulletin
list_address: long@example.org
language: en
publisher:
  name: Example Publisher
  address:
    - 1 Example Street
disclaimer: Views are the authors' own.
sections:
  - Feature
  - Notes
`;

/** About 4,000 words: enough for several pages of two columns, with every kind of block. */
function longIssue(): string {
  const vocabulary = (
    'migration protection trafficking international cooperation government organization assistance ' +
    'victims exploitation recruitment prosecution rehabilitation reintegration awareness community ' +
    'counter-trafficking responsibility identification vulnerability policy research border legislation'
  ).split(' ');
  let seed = 7;
  const next = () => {
    seed = (seed * 48271) % 2147483647;
    return seed;
  };
  const sentence = () => {
    const words = Array.from({ length: 8 + (next() % 14) }, () => vocabulary[next() % vocabulary.length]);
    const text = words.join(' ');
    return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
  };
  const paragraph = () => Array.from({ length: 3 + (next() % 5) }, sentence).join(' ');
  const paragraphs = (n: number) => Array.from({ length: n }, paragraph).join('\n\n');
  return `---
number: 1
title: A Very Long Feature
date: 2024-01
next_issue: The next issue will be shorter.
---

# Feature

## The Long Article
By: Ada Example
Standfirst: ${sentence()} ${sentence()}

${paragraphs(12)}

Q: What does a long question look like when it is set apart from its answer?

${paragraphs(6)}

### A sub-heading inside the article

- ${sentence()}
- ${sentence()} ${sentence()}
- ${sentence()}

1. ${sentence()}
2. ${sentence()}

${paragraphs(8)}

> ${paragraph()}

| Country | Cases | Share |
| --- | ---: | :---: |
| Norway | 51 | 42 per cent |
| Honduras | 1019 | 4 per cent |

The address https://www.example.org/a/very/long/path/that/cannot/fit/on/one/line/of/a/column/at/all.html is printed whole, and so is Supercalifragilisticexpialidocious${'Supercalifragilisticexpialidocious'.repeat(3)}[^1].

::: sidebar A box beside the article
${paragraph()}

${paragraph()}
:::

${paragraphs(10)}

[^1]: ${sentence()}

# Notes

## A Short Note

${paragraphs(2)}
`;
}
