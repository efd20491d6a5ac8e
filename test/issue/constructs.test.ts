// The constructs of papers and programmes as the loader reads them: timetables with checked times,
// lettered lists, heading levels, reference lists, and documents that are not numbered issues.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadIssue } from '../../src/issue/load.ts';
import { type Block, listMarker, plainText } from '../../src/issue/model.ts';
import type { Problem } from '../../src/problems.ts';

const FIXTURE = new URL('./fixtures/bulletin/', import.meta.url).pathname;
const FRONT = '---\nnumber: 7\ntitle: T\ndate: 2024-03-01\n---\n# Feature\n\n## Article\n\n';

/** Writes an issue (007.md) in a fresh copy of the test publication, optionally amending publication.yml. */
function load(text: string, publicationYaml = '') {
  const folder = join(mkdtempSync(join(tmpdir(), 'bulletin-constructs-')), 'bulletin');
  cpSync(FIXTURE, folder, { recursive: true });
  if (publicationYaml) {
    const yml = join(folder, 'publication.yml');
    writeFileSync(yml, readFileSync(yml, 'utf8') + publicationYaml);
  }
  writeFileSync(join(folder, '007.md'), text);
  return loadIssue(join(folder, '007.md'));
}

const summary = (problems: Problem[]) => problems.map((p) => `${p.severity} ${p.code} ${p.location?.line}`);

function blocksOf(text: string): Block[] {
  const { issue, problems } = load(`${FRONT}${text}`);
  expect(summary(problems)).toEqual([]);
  return issue?.sections[0]?.articles[0]?.blocks ?? [];
}

describe('a programme', () => {
  const [programme] = blocksOf(`::: programme
### Day 1, 2026-03-10

Arrival and welcome.

08:30–09:00 Registration and coffee

09:00-10:30 Opening session
Chair: Amina Diallo, Director, Department of Home Affairs
Speakers: Jan Austad, THB Coordinator, Ministry of Justice, Norway; Grace Banda, IOM
Speaker: Samuel Okafor
Place: Main hall
Welcome addresses.

More about the session.

10:30 to 11:00 Coffee break

### 2026-03-11

9.00–9.30 Coffee break
:::
`);

  it('reads days from ### headings, with their dates, and the text before the first slot', () => {
    if (programme?.type !== 'programme') throw new Error('not a programme');
    expect(programme.days.map((d) => [d.label, d.date])).toEqual([
      ['Day 1', { year: 2026, month: 3, day: 10 }],
      [undefined, { year: 2026, month: 3, day: 11 }],
    ]);
    expect(programme.days[0]?.intro).toEqual([
      { type: 'paragraph', content: [{ type: 'text', text: 'Arrival and welcome.' }] },
    ]);
  });

  it('reads slots: times in any usual form, title, chair, speakers with role and organisation, place, description', () => {
    if (programme?.type !== 'programme') throw new Error('not a programme');
    const [registration, opening, coffee] = programme.days[0]?.slots ?? [];
    expect(registration?.start).toEqual({ hours: 8, minutes: 30 });
    expect(registration?.end).toEqual({ hours: 9, minutes: 0 });
    expect(opening?.chair).toEqual({
      label: 'Chair',
      people: [{ name: 'Amina Diallo', role: 'Director', organisation: 'Department of Home Affairs' }],
    });
    expect(opening?.speakers).toEqual([
      { name: 'Jan Austad', role: 'THB Coordinator', organisation: 'Ministry of Justice, Norway' },
      { name: 'Grace Banda', organisation: 'IOM' },
      { name: 'Samuel Okafor' },
    ]);
    expect(opening?.place).toBe('Main hall');
    expect(opening?.description.map((b) => (b.type === 'paragraph' ? plainText(b.content) : b.type))).toEqual(
      ['Welcome addresses.', 'More about the session.'],
    );
    expect([opening?.kind, coffee?.kind]).toEqual(['session', 'break']);
    expect(coffee?.start).toEqual({ hours: 10, minutes: 30 });
  });

  it('gives a title repeated on another day its own id', () => {
    if (programme?.type !== 'programme') throw new Error('not a programme');
    const ids = programme.days.flatMap((d) => d.slots.map((s) => s.id));
    expect(ids).toEqual(['registration-and-coffee', 'opening-session', 'coffee-break', 'coffee-break-2']);
  });
});

describe('programme times are checked', () => {
  const problemsOf = (slots: string) => summary(load(`${FRONT}::: programme\n${slots}:::\n`).problems);

  it('refuses a time that is not a time of day, at its line', () => {
    expect(problemsOf('09:00–09:30 Registration\n\n25:00–26:00 Night session\n\n')).toEqual([
      'error programme-time 13',
    ]);
  });

  it('refuses a slot that ends before it starts', () => {
    expect(problemsOf('14:00–02:00 Afternoon\n\n')).toEqual(['error slot-ends-before-start 11']);
  });

  it('refuses slots out of order within a day, and warns when one overlaps the previous', () => {
    expect(problemsOf('10:00–11:00 B\n\n09:00–09:30 A\n\n')).toEqual(['error slot-order 13']);
    expect(problemsOf('09:00–10:00 A\n\n09:30–10:30 B\n\n')).toEqual(['warning programme-overlap 13']);
  });

  it('suggests the field meant by a misspelt line, and refuses a programme without slots', () => {
    const { problems } = load(`${FRONT}::: programme\n09:00–10:00 A\nSpaeker: Jan Austad\n:::\n`);
    expect(summary(problems)).toEqual(['error programme-field 12']);
    expect(problems[0]?.hint).toContain('Did you mean "Speaker:"?');
    expect(problemsOf('Only words here.\n\n')).toEqual(['error empty-programme 10']);
  });
});

describe('lists with their own markers', () => {
  it('reads a) b) c) lines, (i) (ii) lines and `- a)` bullets as ordered lists with those markers', () => {
    const blocks = blocksOf(
      'a) one\nb) two\n\n(i) first\n(ii) second\n(iii) third\n\n- A. alpha\n- B. beta\n\n1) x\n2) y\n',
    );
    const markers = blocks.map((b) =>
      b.type === 'list' ? b.items.map((_, i) => listMarker(b, i)).join(' ') : b.type,
    );
    expect(markers).toEqual(['a) b)', '(i) (ii) (iii)', 'A. B.', '1) 2)']);
    const first = blocks[0];
    expect(first?.type === 'list' && first.items[0]).toEqual([
      { type: 'paragraph', content: [{ type: 'text', text: 'one' }] },
    ]);
  });

  it('leaves lines whose letters do not follow on as a paragraph', () => {
    expect(blocksOf('a) one\nc) three\n').map((b) => b.type)).toEqual(['paragraph']);
  });

  it('writes markers past z and in roman numerals', () => {
    expect(listMarker({ start: 27, marker: { numbering: 'lower-alpha', delimiter: ')' } }, 0)).toBe('aa)');
    expect(listMarker({ start: 4, marker: { numbering: 'upper-roman', delimiter: '.' } }, 5)).toBe('IX.');
  });
});

describe('headings and references', () => {
  it('keeps ### and #### as levels 3 and 4', () => {
    const blocks = blocksOf('### Three\n\nText.\n\n#### Four\n\nText.\n');
    expect(blocks.filter((b) => b.type === 'heading').map((b) => b.type === 'heading' && b.level)).toEqual([
      3, 4,
    ]);
  });

  it('reads a reference list: a title, then one reference per line or list item', () => {
    const [references] = blocksOf(
      '::: references Further reading\nAnderson, B. (2003) *Demand*.\nMartin, P. (2009) *Costs*.\n\n- Kapur, D. (2005) Remittances.\n:::\n',
    );
    expect(references?.type === 'references' && references.title).toBe('Further reading');
    expect(references?.type === 'references' && references.items.map((item) => plainText(item))).toEqual([
      'Anderson, B. (2003) Demand.',
      'Martin, P. (2009) Costs.',
      'Kapur, D. (2005) Remittances.',
    ]);
  });
});

describe('documents that are not numbered issues', () => {
  it('need no number, and carry a date range and an author', () => {
    const { issue, problems } = load(
      '---\ntitle: Workshop\ndate: 2026-03-10 to 2026-03-11\nauthor: The Regional Office\n---\n# Feature\n\n## A\n\nText.\n',
      'numbered: false\n',
    );
    expect(summary(problems)).toEqual([]);
    expect(issue?.publication.numbered).toBe(false);
    expect(issue?.number).toBe(7);
    expect(issue?.dates).toEqual({
      start: { year: 2026, month: 3, day: 10 },
      end: { year: 2026, month: 3, day: 11 },
    });
    expect(issue?.date).toEqual({ year: 2026, month: 3, day: 10 });
    expect(issue?.author).toBe('The Regional Office');
  });

  it('a numbered publication still requires the number', () => {
    const { problems } = load('---\ntitle: T\ndate: 2024-03\n---\n# Feature\n\n## A\n\nText.\n');
    expect(problems.map((p) => p.message.split(':')[0])).toEqual(['number']);
  });
});

describe('a note on a byline', () => {
  it('keeps the name without the reference, and belongs to the article', () => {
    const { issue, problems } = load(
      '---\nnumber: 7\ntitle: T\ndate: 2024-03\n---\n# Feature\n\n## A\nBy: Elena Petrova[^bio]\nRole: Researcher\n\nText.[^1]\n\n[^bio]: She studies recruitment.\n[^1]: A note.\n',
    );
    expect(summary(problems)).toEqual([]);
    const article = issue?.sections[0]?.articles[0];
    expect(article?.byline).toEqual({ author: 'Elena Petrova', role: 'Researcher', note: 1 });
    const text = (blocks: readonly Block[]) =>
      blocks[0]?.type === 'paragraph' ? plainText(blocks[0].content) : '';
    expect(article?.footnotes.map((n) => [n.number, text(n.blocks)])).toEqual([
      [1, 'She studies recruitment.'],
      [2, 'A note.'],
    ]);
  });
});

describe('a note on the issue title', () => {
  const paragraphText = (blocks: readonly Block[] | undefined) =>
    blocks?.[0]?.type === 'paragraph' ? plainText(blocks[0].content) : '';

  it('is cited from front matter: the title loses its marker, the note is kept for the cover', () => {
    const { issue, problems } = load(
      '---\nnumber: 7\ntitle: "Straddling the Border[^about]"\ndate: 2024-03\n---\n# Feature\n\n## A\n\nText.[^1]\n\n[^about]: First read at the Dakar workshop.\n[^1]: A note.\n',
    );
    // Cited by the title only, the note is not reported as never cited.
    expect(summary(problems)).toEqual([]);
    expect(issue?.title).toBe('Straddling the Border');
    expect(paragraphText(issue?.titleNote)).toBe('First read at the Dakar workshop.');
    // It is not one of the article's notes, which still start from 1.
    const article = issue?.sections[0]?.articles[0];
    expect(article?.footnotes.map((n) => [n.number, paragraphText(n.blocks)])).toEqual([[1, 'A note.']]);
  });

  it("may also be cited in the body, where it stays the article's note too", () => {
    const { issue, problems } = load(
      '---\nnumber: 7\ntitle: "Borders[^about]"\ndate: 2024-03\n---\n# Feature\n\n## A\n\nText.[^about]\n\n[^about]: About.\n',
    );
    expect(summary(problems)).toEqual([]);
    expect(paragraphText(issue?.titleNote)).toBe('About.');
    expect(issue?.sections[0]?.articles[0]?.footnotes.map((n) => n.number)).toEqual([1]);
  });

  it('is refused when never defined, at the line of the title in front matter', () => {
    const { issue, problems } = load(
      '---\nnumber: 7\ndate: 2024-03\ntitle: "Borders[^about]"\n---\n# Feature\n\n## A\n\nText.\n',
    );
    expect(issue).toBeUndefined();
    expect(summary(problems)).toEqual(['error title-note-not-defined 4']);
    expect(problems[0]?.message).toContain('[^about]');
  });

  it('leaves a title without notes as it is', () => {
    const { issue } = load('---\nnumber: 7\ntitle: T\ndate: 2024-03\n---\n# Feature\n\n## A\n\nText.\n');
    expect(issue?.title).toBe('T');
    expect(issue?.titleNote).toBeUndefined();
  });
});

describe('notes are numbered per article', () => {
  it('from 1 in each article, in the order first cited', () => {
    const { issue, problems } = load(
      '---\nnumber: 7\ntitle: T\ndate: 2024-03\n---\n# Feature\n\n## A\n\nOne.[^a] Two.[^b]\n\n## B\n\nThree.[^c]\n\n[^a]: Note a.\n[^b]: Note b.\n[^c]: Note c.\n',
    );
    expect(summary(problems)).toEqual([]);
    const [a, b] = issue?.sections[0]?.articles ?? [];
    expect(a?.footnotes.map((n) => n.number)).toEqual([1, 2]);
    expect(b?.footnotes.map((n) => n.number)).toEqual([1]);
    expect(b?.blocks[0]).toEqual({
      type: 'paragraph',
      content: [
        { type: 'text', text: 'Three.' },
        { type: 'footnoteRef', number: 1 },
      ],
    });
  });
});
