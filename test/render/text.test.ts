import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadIssue } from '../../src/issue/load.ts';
import { PLACEHOLDERS } from '../../src/render/replacements.ts';
import { renderText, TEXT_WIDTH, wrap } from '../../src/render/text/index.ts';
import { authoredText, recall } from '../support/recall.ts';

describe('wrap', () => {
  it('breaks between words at the width, with a hanging indent', () => {
    expect(wrap('one two three four', '* ', '  ', 10)).toEqual(['* one two', '  three', '  four']);
  });
  it('puts a word longer than the line on a line of its own rather than cutting it', () => {
    expect(wrap('see https://www.example.org/a/very/long/path now', '', '', 12)).toEqual([
      'see',
      'https://www.example.org/a/very/long/path',
      'now',
    ]);
  });
});

describe.each(['issues/global-eye/005.md', 'issues/trafficking-in-migrants/025.md'])(
  'the text part of %s',
  (file) => {
    const { issue } = loadIssue(file);
    if (!issue) throw new Error(`${file} does not load`);
    const text = renderText(issue);

    it(`keeps lines within ${TEXT_WIDTH} characters, except a lone address that cannot be broken`, () => {
      const long = text.split('\n').filter((line) => [...line].length > TEXT_WIDTH);
      expect(long.filter((line) => !/^(\[\d+\] )?\S+$/.test(line))).toEqual([]);
    });

    it('contains every word of the issue file, in order', () => {
      const result = recall(authoredText(readFileSync(file, 'utf8')), text);
      expect(result.missing.slice(0, 10)).toEqual([]);
      expect(result.recall).toBeGreaterThanOrEqual(0.98);
      expect(result.order).toBeGreaterThanOrEqual(0.95);
    });

    it('keeps the address of every link', () => {
      const hrefs = JSON.stringify(issue.sections).match(/"href":"([^"]+)"/g) ?? [];
      for (const href of hrefs) expect(text).toContain(JSON.parse(`{${href}}`).href.replace(/^mailto:/, ''));
    });

    it('carries the list address and the per-recipient placeholders', () => {
      expect(text).toContain(`send an email to ${issue.publication.listAddress}`);
      for (const placeholder of Object.values(PLACEHOLDERS)) expect(text).toContain(placeholder);
    });
  },
);
