// Each mistake an editor makes that Markdown would forgive silently, and that would lose or move
// content in every edition, is a located problem: its code, its line, what happened, how to fix.
// One fixture per mistake, in fixtures/mistakes/, loaded as issue 007 of the test publication.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadIssue } from '../../src/issue/load.ts';
import { formatProblem } from '../../src/problems.ts';

const PUBLICATION = new URL('./fixtures/bulletin/', import.meta.url).pathname;
const MISTAKES = new URL('./fixtures/mistakes/', import.meta.url).pathname;

/** Loads `text` as issue 007 of a fresh copy of the test publication. */
function loadText(text: string) {
  const folder = join(mkdtempSync(join(tmpdir(), 'bulletin-mistake-')), 'bulletin');
  cpSync(PUBLICATION, folder, { recursive: true });
  writeFileSync(join(folder, '007.md'), text);
  return loadIssue(join(folder, '007.md'));
}

const loadFixture = (name: string) => loadText(readFileSync(join(MISTAKES, name), 'utf8'));

interface Expected {
  /** `severity code line` of every problem, in order. */
  problems: string[];
  /** What the first problem's message says. */
  message: RegExp;
  /** What its hint says to do. */
  hint: RegExp;
}

const CASES: Record<string, Expected> = {
  'unclosed-box.md': {
    problems: ['error unclosed-box 10'],
    message: /The box "::: sidebar About the Centre" is never closed, .* \(1 section and 2 articles\)/,
    hint: /Close it with ::: on a line of its own/,
  },
  'box-closed-too-late.md': {
    problems: ['error heading-in-box 10'],
    message:
      /The box "::: pullquote" holds 1 article, which would vanish from the contents; its ::: is on line 16/,
    hint: /Close the box with ::: before the next # or ## heading/,
  },
  'first-field-typo.md': {
    problems: ['error unknown-field 9'],
    message: /^Unknown field "Standfrist"\. Did you mean "Standfirst"\?$/,
    hint: /Fields are By, Role, Organisation, Kicker, Standfirst, More/,
  },
  'author-for-by.md': {
    problems: ['error unknown-field 9'],
    message: /^Unknown field "Author"\. Did you mean "By"\?$/,
    hint: /Fields are By, Role/,
  },
  'unknown-field.md': {
    problems: ['error unknown-field 10'],
    message: /^Unknown field "Organsation"\. Did you mean "Organisation"\?$/,
    hint: /blank line before the article's first paragraph/,
  },
  'footnote-not-defined.md': {
    problems: ['error footnote-not-defined 10'],
    message: /Footnote \[\^5\] is cited but never defined, so it would print as "\[\^5\]"/,
    hint: /\[\^5\]: The note's text/,
  },
  'footnote-not-cited.md': {
    problems: ['error footnote-not-cited 12'],
    message: /Footnote \[\^1\] is never cited, so its text appears in no edition/,
    hint: /Cite it with \[\^1\]/,
  },
  'front-matter-not-closed.md': {
    problems: ['error front-matter-not-closed 1'],
    message: /front matter is not closed/,
    hint: /before line 5 \(the first heading\)/,
  },
  'front-matter-closed-by-a-rule.md': {
    problems: ['error front-matter-not-closed 1'],
    message: /front matter is not closed/,
    hint: /before line 5 \(the first heading\)/,
  },
  'yaml-indentation.md': {
    problems: ['error yaml-indentation 4'],
    message: /indented more than the fields above it/,
    hint: /Start each field at the beginning of its line/,
  },
  'unknown-section.md': {
    problems: ['error unknown-section 6'],
    message: /^Unknown section "Perspectves"\. Did you mean "Perspectives"\?$/,
    hint: /Use one of: Feature, Perspectives, Events and Publications/,
  },
  'unknown-key.md': {
    problems: ['warning unknown-key 5'],
    message: /^Unknown key "preheder" is ignored\. Did you mean "preheader"\?$/,
    hint: /Known keys: number, title, date/,
  },
  'empty-article.md': {
    problems: ['warning empty-article 8'],
    message: /Article "Straddling the Border" has no text/,
    hint: /Write its text under the title and fields, after a blank line/,
  },
  'heading-too-deep.md': {
    problems: ['warning heading-too-deep 16'],
    message: /level-5 heading \(#####\) is deeper than bulletin's headings go/,
    hint: /Use ### .* #### /,
  },
  'article-repeats-section.md': {
    problems: ['warning article-repeats-section 14'],
    message:
      /only article of section "Perspectives" has the section's name, which every edition prints twice/,
    hint: /Give the article a title of its own/,
  },
};

describe('mistakes that would publish broken are located problems', () => {
  for (const [fixture, expected] of Object.entries(CASES)) {
    it(`${fixture.replace(/\.md$/, '')}: ${expected.problems.join(', ')}`, () => {
      const { issue, problems } = loadFixture(fixture);
      expect(problems.map((p) => `${p.severity} ${p.code} ${p.location?.line}`)).toEqual(expected.problems);
      const [first] = problems;
      expect(first?.message).toMatch(expected.message);
      expect(first?.hint).toMatch(expected.hint);
      expect(first?.location?.column).toBeGreaterThanOrEqual(1);
      expect(formatProblem(first as never)).toMatch(/007\.md:\d+:\d+ (error|warning) /);
      // Errors stop the build; warnings let it go on.
      expect(issue === undefined).toBe(first?.severity === 'error');
    });
  }

  it('gives an article named like a section an HTML id of its own', () => {
    const { issue } = loadFixture('article-repeats-section.md');
    const perspectives = issue?.sections[1];
    expect(perspectives?.slug).toBe('perspectives');
    expect(perspectives?.articles[0]?.slug).toBe('perspectives-article');
  });

  it('does not take a first paragraph that starts "Q:" or "Note:" for a field block', () => {
    const { issue, problems } = loadText(
      '---\nnumber: 7\ntitle: T\ndate: 2024-03\n---\n# Feature\n\n## A\nQ: How?\n\nNote: this is text.\n',
    );
    expect(problems).toEqual([]);
    expect(issue?.sections[0]?.articles[0]?.blocks.map((b) => b.type)).toEqual(['question', 'paragraph']);
  });

  it('reports an over-indented front-matter line at that line, whatever the value above it', () => {
    const { problems } = loadText(
      '---\nnumber: 7\ntitle: "Borders"\n  date: 2024-03-01\n---\n# Feature\n\n## A\n\nText.\n',
    );
    expect(problems.map((p) => `${p.code} ${p.location?.line}`)).toEqual(['yaml-syntax 4']);
  });
});
