// Papers and programmes in every edition: a two-day workshop programme (unnumbered, a date range,
// timetables) and an expert paper (notes, references, lettered lists, ### and #### headings).
// Each edition carries every word in order, and shows each construct as it should be read.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIssue } from '../../src/issue/load.ts';
import type { Issue } from '../../src/issue/model.ts';
import { renderEmail } from '../../src/render/email/index.ts';
import { type PdfLayout, type PlacedBox, renderPdf } from '../../src/render/pdf/index.ts';
import type { StructNode } from '../../src/render/pdf/structure.ts';
import { renderText } from '../../src/render/text/index.ts';
import { renderWeb } from '../../src/render/web/index.ts';
import { launchChromium } from '../support/browser.ts';
import { authoredText, htmlToText, recall } from '../support/recall.ts';

const WORKSHOP = 'test/fixtures/workshop/001.md';
const PAPER = 'test/fixtures/papers/001.md';
const TITLE_NOTE = 'test/fixtures/title-note/001.md';
const work = mkdtempSync(join(tmpdir(), 'bulletin-constructs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function load(path: string): Issue {
  const { issue, problems } = loadIssue(path);
  if (!issue) throw new Error(problems.map((p) => p.message).join('\n'));
  expect(problems).toEqual([]);
  return issue;
}

interface Editions {
  issue: Issue;
  email: string;
  subject: string;
  text: string;
  web: string;
  pdfText: string;
  pdfLayoutText: string;
  structure: string;
  layout: PdfLayout;
}

async function editions(path: string): Promise<Editions> {
  const issue = load(path);
  const email = await renderEmail(issue);
  const { pdf, layout } = await renderPdf(issue, { publicUrl: 'https://bulletin.example.org' });
  const file = join(work, `${issue.publication.slug}.pdf`);
  writeFileSync(file, pdf);
  const tool = (command: string, args: string[]) => execFileSync(command, args, { encoding: 'utf8' });
  return {
    issue,
    email: email.html,
    subject: email.subject,
    text: renderText(issue),
    web: renderWeb(issue),
    pdfText: tool('pdftotext', ['-enc', 'UTF-8', file, '-']),
    pdfLayoutText: tool('pdftotext', ['-enc', 'UTF-8', '-layout', file, '-']),
    structure: tool('pdfinfo', ['-struct', file]),
    layout,
  };
}

/** The editor's words, without the labels that editions write differently (Speaker: → Speakers). */
function reference(path: string, notes = true): string {
  const markdown = readFileSync(path, 'utf8');
  return (
    authoredText(notes ? markdown : markdown.replace(/^\[\^[^\]\s]+\]:.*$/gm, ''))
      .replace(/^(Chair|Moderator|Speakers?|Place):\s*/gm, '')
      .replace(/\d{4}-\d{2}-\d{2}/g, '')
      // Notes are cited and listed by number, whatever their label in the file.
      .replace(/\[\^[^\]\s]+\]:?/g, '')
  );
}

describe.each([
  ['the workshop programme', WORKSHOP],
  ['the paper', PAPER],
])('%s', (_, path) => {
  let e: Editions;
  beforeAll(async () => {
    e = await editions(path);
  });

  it('has every word, in order, in all four editions', () => {
    for (const [edition, text] of [
      ['email', htmlToText(e.email)],
      ['text', e.text],
      ['web', htmlToText(e.web)],
      ['pdf', e.pdfText],
    ] as const) {
      const result = recall(reference(path), text);
      expect(result.missing.slice(0, 10), edition).toEqual([]);
      // The PDF sets notes at the foot of the page that cites them, before what follows in the file.
      const order = edition === 'pdf' ? recall(reference(path, false), text).order : result.order;
      expect(order, edition).toBeGreaterThanOrEqual(0.95);
    }
  });

  it('is never called "No. 1", and is dated in British English', () => {
    for (const text of [e.subject, e.email, e.text, e.web, e.pdfText]) {
      expect(text).not.toMatch(/\bN(o\.|°)\s*1\b/);
      expect(text).not.toMatch(/In this issue/i);
    }
    const dated = e.issue.dates ? /10\s–\s11 March 2026/ : /9 July 2009/;
    for (const text of [e.email, e.text, e.web, e.pdfText]) expect(text).toMatch(dated);
    for (const text of [e.email, e.text, e.web, e.pdfText]) expect(text).toContain(e.issue.author as string);
  });

  it('is a tagged PDF whose structure holds sections, articles and headings', () => {
    expect(e.structure).toMatch(/^\s*Sect\b/m);
    expect(e.structure).toMatch(/^\s*Art\b/m);
    expect(e.structure).toMatch(/^\s*H3\b/m);
  });
});

describe('a programme', () => {
  let e: Editions;
  beforeAll(async () => {
    e = await editions(WORKSHOP);
  });

  it('is a timetable on the web and in the email: the time heads each row, the session beside it', () => {
    for (const html of [e.web, e.email]) {
      expect(html).toMatch(
        /<tr id="programme-of-the-workshop-opening-session" class="slot session"[^>]*><th scope="row" class="time"[^>]*><time>09:00<\/time>–<time>09:45<\/time><\/th><td class="session"/,
      );
      expect(html).toMatch(/<time datetime="2026-03-10">Day 1 – Tuesday,? 10 March 2026<\/time>/);
      expect(html).toMatch(/Chair: <strong>Amina Diallo<\/strong>, Director, Department of Home Affairs/);
    }
    // The coffee break of each day has an id of its own.
    expect(e.web).toContain('id="programme-of-the-workshop-coffee-break"');
    expect(e.web).toContain('id="programme-of-the-workshop-coffee-break-2"');
    expect(e.web).toContain('class="slot break"');
  });

  it('is a timetable in the text part: times in a column, the session beside them', () => {
    const lines = e.text.split('\n');
    const at = lines.findIndex((line) => line.startsWith('09:00–09:45  Opening session'));
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toBe('             Chair: Amina Diallo, Director, Department of Home Affairs');
    expect(lines).toContain('11:00–11:30  Coffee break');
  });

  it('is a timetable in the PDF: the time beside the title, tagged Table › TR › TH + TD', () => {
    expect(e.pdfLayoutText).toMatch(/09:00–09:45\s+Opening session/);
    expect(e.structure).toMatch(/^\s+Table\b.*\n\s+TR\n\s+TH:\n\s+\/Scope \/Row\n\s+TD\n\s+P\b/m);
    const rows = (e.structure.match(/^\s*TR\b/gm) ?? []).length;
    expect(rows).toBe(10);
  });
});

describe('a note on the issue title', () => {
  const NOTE = 'This paper was first read at the Dakar workshop on labour mobility.';
  let e: Editions;
  beforeAll(async () => {
    e = await editions(TITLE_NOTE);
  });

  it('is starred on the title and linked both ways in the web and email editions', () => {
    for (const html of [e.web, e.email]) {
      expect(html).toMatch(
        /<strong>Straddling the Border<\/strong><sup class="noteref" id="title-noteref"><a href="#title-note"/,
      );
      expect(html).toMatch(
        /id="title-note"[^>]*>\s*<a[^>]*href="#title-noteref"[^>]*>\*<\/a> This paper was first read/,
      );
      // Once, under the title: not also among the article's notes.
      expect(html.split(NOTE).length - 1).toBe(1);
      // Shown with the title, before the contents.
      expect(html.indexOf(NOTE)).toBeLessThan(html.indexOf('href="#crossing-for-work"'));
    }
  });

  it('keeps the marker out of the subject and the page titles', () => {
    expect(e.subject).toBe('Migration Research Papers: Straddling the Border');
    for (const html of [e.web, e.email]) {
      const title = /<title>([^<]*)<\/title>/.exec(html)?.[1];
      expect(title).toContain('Straddling the Border');
      expect(title).not.toMatch(/[*^[]/);
    }
  });

  it('is starred under the title in the text part', () => {
    expect(e.text).toContain(`Straddling the Border *\n\n* ${NOTE}\n`);
    expect(e.text).not.toContain('[^');
  });

  it('is a Note on the cover of the PDF, before the first section', () => {
    expect(e.pdfText).toContain('Straddling the Border*');
    expect(e.pdfText).toContain(`* ${NOTE}`);
    const note = e.structure.search(/^\s*Note\b/m);
    expect(note).toBeGreaterThan(e.structure.search(/^\s*H1\b/m));
    expect(note).toBeLessThan(e.structure.search(/^\s*Sect\b/m));
    // On the first page: pdftotext ends each page with a form feed.
    expect(e.pdfText.split('\f')[0]).toContain(NOTE);
  });
});

describe('a paper', () => {
  let e: Editions;
  beforeAll(async () => {
    e = await editions(PAPER);
  });

  it('keeps ### and #### as third- and fourth-level headings in every edition', () => {
    for (const html of [e.web, e.email]) {
      expect(html).toMatch(/<h3[^>]*>Sources and method<\/h3>/);
      expect(html).toMatch(/<h4[^>]*>Limits of the data<\/h4>/);
    }
    expect(e.text).toContain('Sources and method\n------------------');
    expect(e.text).toContain('Limits of the data\n..................');
    expect(e.structure).toMatch(/^\s*H4\b/m);
  });

  it('sets lettered and roman lists with their own markers, never a bullet', () => {
    for (const html of [e.web, e.email]) {
      expect(html).toMatch(
        /<ol class="marked"[^>]*><li[^>]*><span class="marker"[^>]*>a\)<\/span> court cases/,
      );
      expect(html).toMatch(/<span class="marker"[^>]*>\(ii\)<\/span> repayment periods/);
    }
    expect(e.text).toContain('a) court cases in which debt was an element of the offence;');
    expect(e.text).toContain('(ii) repayment periods cannot be compared between countries.');
    expect(e.pdfLayoutText).toMatch(/^\s*b\) surveys of returning migrants;/m);
    expect(e.pdfLayoutText).toMatch(/^\s*\(i\) the size of debts is understated;/m);
    expect(e.pdfText).not.toContain('•');
  });

  it('numbers notes, a note on the byline too, linked both ways in HTML', () => {
    const prefix = 'debt-bondage-and-labour-migration-';
    for (const html of [e.web, e.email]) {
      // The note on the author, cited in the byline, is note 1.
      expect(html).toContain(
        `By Elena Petrova<sup class="noteref" id="${prefix}fnref1"><a href="#${prefix}fn1"`,
      );
      expect(html).toMatch(
        new RegExp(`<li id="${prefix}fn2" value="2">[\\s\\S]*?<a class="backref" href="#${prefix}fnref2"`),
      );
      // The second citation of note 2 links to it too, without repeating the id.
      expect(html.match(new RegExp(`id="${prefix}fnref2"`, 'g'))?.length).toBe(1);
      expect(html.match(new RegExp(`href="#${prefix}fn2"`, 'g'))?.length).toBe(2);
    }
    expect(e.text).toContain('By Elena Petrova[^1], Senior Researcher');
    expect(e.text).toMatch(/\n\[\^1\] Elena Petrova has studied/);
  });

  it('sets references as a list without bullets, left-aligned, with a hanging indent', () => {
    expect(e.web).toMatch(
      /<div class="references"><h3>References<\/h3><ul class="references"><li>Anderson, B\./,
    );
    expect(e.web).toMatch(/ul\.references \{ list-style: none;[^}]*text-align: left;/);
    expect(e.email).toMatch(/<ul class="references" style="list-style: none;/);
    expect(e.text).toMatch(
      /\nAnderson, B\. and O’Connell Davidson, J\. \(2003\) _Is Trafficking in Human Beings\n {4}Demand/,
    );
    // In the PDF: each reference's later lines start further right than its first.
    const lines = e.pdfLayoutText.split('\n');
    const first = lines.findIndex((line) => /Anderson, B\./.test(line));
    const indent = (line: string | undefined) => line?.search(/\S/) ?? -1;
    expect(first).toBeGreaterThan(0);
    expect(indent(lines[first + 1])).toBeGreaterThan(indent(lines[first]));
    expect(indent(lines[first])).toBe(indent(lines.find((line) => /^\s*Kapur, D\./.test(line))));
  });
});

describe('figures stay with their article in the PDF', () => {
  it('shares a page with text of its own article (global-eye 005: the Feature’s photograph)', async () => {
    const issue = load('issues/global-eye/005.md');
    const { layout } = await renderPdf(issue, { publicUrl: 'https://bulletin.example.org' });
    const articleOf = (struct: StructNode | undefined): StructNode | undefined =>
      !struct || struct.type === 'Art' ? struct : articleOf(struct.parent);
    const figures = layout.boxes.filter((b) => b.kind === 'figure');
    expect(figures.length).toBeGreaterThan(0);
    for (const figure of figures) {
      const article = articleOf(figure.struct);
      const ownText = layout.boxes.filter(
        (b: PlacedBox) => b.kind === 'text' && b.page === figure.page && articleOf(b.struct) === article,
      );
      expect(ownText.length, `${article?.title} on page ${figure.page}`).toBeGreaterThan(0);
    }
  });
});

describe('notes in the PDF', () => {
  const noteNumber = (box: PlacedBox) =>
    Number(/^(\d+)\./.exec(box.lines?.[0]?.segments[0]?.text ?? '')?.[1]);
  const inNote = (struct: StructNode | undefined): boolean =>
    !!struct && (struct.type === 'Note' || inNote(struct.parent));
  const withColumns = (issue: Issue, columns: number): Issue => ({
    ...issue,
    publication: { ...issue.publication, pdf: { ...issue.publication.pdf, columns } },
  });

  it.each([1, 2])('sit at the foot of the column that cites them (%i columns)', async (columns) => {
    const { layout } = await renderPdf(withColumns(load(PAPER), columns), {
      publicUrl: 'https://bulletin.example.org',
    });
    const notes = layout.boxes.filter((b) => b.kind === 'text' && inNote(b.struct));
    expect(notes.map(noteNumber)).toEqual([1, 2, 3, 4]);
    for (const note of notes) {
      const n = noteNumber(note);
      // The line that cites it: in the text, or in the byline (set as a heading line).
      const citing = layout.boxes.find((b) => b.lines?.some((l) => l.notes?.includes(n)));
      expect([note.page, note.column], `note ${n}`).toEqual([citing?.page, citing?.column]);
      const column = layout.pages[note.page - 1]?.columns[note.column];
      const foot = (column?.y ?? 0) + (column?.height ?? 0);
      expect(note.y).toBeGreaterThan(citing?.y ?? 0);
      // Notes stack down to the foot: the last one ends there.
      if (n === 4) expect(note.y + note.height).toBeGreaterThan(foot - 40);
    }
  });

  it('fall back to the end of the article when too long for the foot of a column', async () => {
    const issue = load(PAPER);
    const article = issue.sections[0]?.articles[0];
    const first = article?.footnotes[0];
    if (!article || !first) throw new Error('the paper has notes');
    first.blocks = [{ type: 'paragraph', content: [{ type: 'text', text: 'A long note. '.repeat(400) }] }];
    const { layout } = await renderPdf(issue, { publicUrl: 'https://bulletin.example.org' });
    const note = layout.boxes.find((b) => b.kind === 'text' && inNote(b.struct) && noteNumber(b) === 1);
    const lastReference = layout.boxes
      .filter((b) => b.lines?.[0]?.segments[0]?.text.startsWith('Martin, P.'))
      .pop();
    if (!note || !lastReference) throw new Error('note 1 and the references are set');
    expect(note.page * 10_000 + note.y).toBeGreaterThan(lastReference.page * 10_000 + lastReference.y);
  });
});

describe('the web edition of a programme in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());

  it('keeps the time column beside the session, without sideways scrolling, at 320 px', async () => {
    const html = renderWeb(load(WORKSHOP));
    const page = await browser.newPage({ viewport: { width: 320, height: 800 } });
    await page.route('**/*', (route) => route.abort());
    await page.setContent(html);
    const facts = await page.evaluate(() => {
      const row = document.querySelector('tr.slot.session');
      const time = row?.querySelector('th.time')?.getBoundingClientRect();
      const session = row?.querySelector('td.session')?.getBoundingClientRect();
      return {
        scrollWidth: document.documentElement.scrollWidth,
        beside: !!time && !!session && time.right <= session.left && Math.abs(time.top - session.top) < 2,
        headers: document.querySelectorAll('th[scope="row"]').length,
      };
    });
    await page.close();
    expect(facts.scrollWidth).toBeLessThanOrEqual(320);
    expect(facts.beside).toBe(true);
    expect(facts.headers).toBe(10);
  });
});

describe('notes of several articles in the PDF', () => {
  it('each article’s note 1 goes to the foot of its own column', async () => {
    const paper = load(PAPER);
    const article = paper.sections[0]?.articles[0];
    if (!article) throw new Error('the paper has an article');
    const second = structuredClone(article);
    second.slug = 'second';
    const issue: Issue = {
      ...paper,
      sections: [{ ...(paper.sections[0] as Issue['sections'][0]), articles: [article, second] }],
    };
    const { layout } = await renderPdf(issue, { publicUrl: 'https://bulletin.example.org' });
    const inNote = (struct: StructNode | undefined): boolean =>
      !!struct && (struct.type === 'Note' || inNote(struct.parent));
    const firstNotes = layout.boxes.filter(
      (b) => b.kind === 'text' && inNote(b.struct) && b.lines?.[0]?.segments[0]?.text.startsWith('1.'),
    );
    expect(firstNotes.length).toBe(2);
    expect(new Set(firstNotes.map((b) => b.struct)).size).toBe(2);
  });
});
