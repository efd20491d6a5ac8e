// The field table (src/issue/fields.ts) is the one definition of an article field: these tests
// drive the loader and the docs from it, so a field added to the table is read, checked, hinted
// and documented, or a test says which of those is missing.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIELDS, fieldNames, fieldTablesMarkdown } from '../../src/issue/fields.ts';
import { loadIssue } from '../../src/issue/load.ts';

const FIXTURE = new URL('./fixtures/bulletin/', import.meta.url).pathname;
const FRONT = '---\nnumber: 7\ntitle: Fields\ndate: 2024-03-01\n---\n';

function load(section: string, fieldLines: string) {
  const folder = join(mkdtempSync(join(tmpdir(), 'bulletin-fields-')), 'bulletin');
  cpSync(FIXTURE, folder, { recursive: true });
  const file = join(folder, '007.md');
  writeFileSync(file, `${FRONT}# ${section}\n\n## An article\n${fieldLines}\n\nIts text.\n`);
  return loadIssue(file);
}

const ENTRIES = 'Events and Publications';

describe('the field table', () => {
  it('is what docs/authoring.md lists, row for row (run `npm run docs` after changing it)', () => {
    const docs = readFileSync(new URL('../../docs/authoring.md', import.meta.url), 'utf8');
    const tables = fieldTablesMarkdown();
    expect(docs).toContain(tables.article);
    expect(docs).toContain(tables.entries);
    for (const field of FIELDS) expect(tables.article + tables.entries).toContain(`| \`${field.name}:\` |`);
  });

  it.each(FIELDS.map((field) => [field.name, field] as const))(
    'reads %s from its documented example, in the sections where it belongs',
    (_, field) => {
      const section = field.entriesOnly ? ENTRIES : 'Feature';
      // Role and Organisation describe an author: every article here has one.
      const base = field.name === 'By' ? '' : 'By: Someone';
      const { issue, problems } = load(section, [base, field.example].filter(Boolean).join('\n'));
      expect(problems).toEqual([]);
      const article = issue?.sections[0]?.articles[0];
      const without = load(section, base).issue?.sections[0]?.articles[0];
      // The value landed in the model: the article differs from the same one without the line.
      expect(article).toBeDefined();
      expect(JSON.stringify(article)).not.toBe(JSON.stringify(without));
    },
  );

  it('refuses an events-and-publications field in an ordinary section', () => {
    for (const field of FIELDS.filter((f) => f.entriesOnly)) {
      const { problems } = load('Feature', field.example);
      expect(problems.map((p) => p.code)).toEqual(['entry-field']);
    }
  });

  it('accepts other spellings and suggests the field meant by every alias', () => {
    expect(load('Feature', 'By: A\nOrganization: B').issue?.sections[0]?.articles[0]?.byline).toEqual({
      author: 'A',
      organisation: 'B',
    });
    for (const field of FIELDS) {
      for (const alias of field.aliases ?? []) {
        const word = alias[0]?.toUpperCase() + alias.slice(1);
        const { problems } = load(field.entriesOnly ? ENTRIES : 'Feature', `${word}: x`);
        expect(problems[0]?.code, alias).toBe('unknown-field');
        expect(problems[0]?.message, alias).toContain(`Did you mean "${field.name}"?`);
      }
    }
  });

  it("names the section's fields, from the table, in the hint of an unknown one", () => {
    const [feature] = load('Feature', 'By: A\nColour: red').problems;
    expect(feature?.hint).toBe(
      `Fields are ${fieldNames(false).join(', ')}; leave a blank line before the article's first paragraph.`,
    );
    const [entries] = load(ENTRIES, 'Type: event\nColour: red').problems;
    expect(entries?.hint).toContain(fieldNames(true).join(', '));
    expect(fieldNames(true)).toEqual([...fieldNames(false), 'Type', 'Date', 'Place', 'Link']);
  });
});
