import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIssue } from '../../src/issue/load.ts';
import { pdfFileName } from '../../src/render/replacements.ts';
import { renderWeb } from '../../src/render/web/index.ts';
import { launchChromium } from '../support/browser.ts';
import { authoredText, htmlToText, recall } from '../support/recall.ts';

const FILE = 'issues/global-eye/005.md';
const { issue } = loadIssue(FILE);
if (!issue) throw new Error('sample does not load');
const html = renderWeb(issue);

describe('the web edition', () => {
  it('contains every word of the issue file, in order', () => {
    const result = recall(authoredText(readFileSync(FILE, 'utf8')), htmlToText(html));
    expect(result.missing.slice(0, 10)).toEqual([]);
    expect(result.order).toBeGreaterThanOrEqual(0.95);
  });

  it('links the PDF edition relatively, so the folder can be served anywhere', () => {
    expect(pdfFileName(issue.publication.slug, issue.code)).toBe('global-eye-005.pdf');
    expect(html).toContain('href="global-eye-005.pdf" download');
    expect(html).toContain('<img src="images/olga-heaven.png"');
  });
});

describe('the web edition in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());

  it.each([320, 1024])(
    'reads well at %i px: no sideways scrolling, one h1, landmarks, alt text',
    async (width) => {
      const page = await browser.newPage({ viewport: { width, height: 800 } });
      await page.route('**/*', (route) => route.abort());
      await page.setContent(html);
      const facts = await page.evaluate(() => ({
        lang: document.documentElement.lang,
        scrollWidth: document.documentElement.scrollWidth,
        h1: document.querySelectorAll('h1').length,
        landmarks: ['header', 'nav', 'main', 'footer'].filter((tag) => document.querySelector(tag)),
        imagesWithoutAlt: [...document.images].filter((img) => !img.alt).length,
        articles: document.querySelectorAll('article').length,
      }));
      await page.close();
      expect(facts.lang).toBe('en-GB');
      expect(facts.scrollWidth).toBeLessThanOrEqual(width);
      expect(facts.h1).toBe(1);
      expect(facts.landmarks).toEqual(['header', 'nav', 'main', 'footer']);
      expect(facts.imagesWithoutAlt).toBe(0);
      expect(facts.articles).toBe(issue.sections.reduce((n, s) => n + s.articles.length, 0));
    },
  );
});
