// A right-to-left edition: the sample issue with `language: 'ar'` (its text stays Latin: only the
// direction is under test) is laid out from the right in Chromium: dir="rtl" on the page, headings
// and paragraphs set against the right edge. The email carries dir="rtl" too.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIssue } from '../../src/issue/load.ts';
import { renderEmail } from '../../src/render/email/index.ts';
import { renderWeb } from '../../src/render/web/index.ts';
import { launchChromium } from '../support/browser.ts';

const SCREENSHOTS = join(process.cwd(), 'dist', 'screenshots');

const { issue } = loadIssue('issues/global-eye/005.md');
if (!issue) throw new Error('sample does not load');
const arabic = { ...issue, language: 'ar' };

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
});
afterAll(() => browser?.close());

describe('an Arabic-language web edition in Chromium', () => {
  it('is right to left: dir, computed direction, text against the right edge', async () => {
    const page = await browser.newPage({ viewport: { width: 800, height: 900 } });
    await page.route('**/*', (route) => route.abort());
    await page.setContent(renderWeb(arabic), { waitUntil: 'load' });
    const metrics = await page.evaluate(() => {
      // How far the text of an element ends from its right and left edges (its first line).
      const edges = (el: Element) => {
        const range = document.createRange();
        range.selectNodeContents(el);
        const text = range.getClientRects()[0] as DOMRect;
        const box = el.getBoundingClientRect();
        return { fromRight: box.right - text.right, fromLeft: text.left - box.left };
      };
      const label = document.querySelector('.section-label') as Element;
      const byline = document.querySelector('article .byline') as Element;
      return {
        dir: document.documentElement.getAttribute('dir'),
        // Nothing pushed off the page sideways (a skip link at left: -10000px would scroll in RTL).
        scrollWidth: document.documentElement.scrollWidth,
        mastheadVisible:
          (document.querySelector('header.masthead') as Element).getBoundingClientRect().right > 0,
        direction: getComputedStyle(document.body).direction,
        label: edges(label),
        byline: edges(byline),
        align: getComputedStyle(byline).textAlign,
      };
    });
    await page.screenshot({ path: join(SCREENSHOTS, 'global-eye-005-web-rtl.png') });
    await page.close();
    expect(metrics.dir).toBe('rtl');
    expect(metrics.scrollWidth).toBeLessThanOrEqual(800);
    expect(metrics.mastheadVisible).toBe(true);
    expect(metrics.direction).toBe('rtl');
    expect(metrics.align).toBe('start');
    for (const edges of [metrics.label, metrics.byline]) {
      expect(edges.fromRight).toBeLessThan(2);
      expect(edges.fromLeft).toBeGreaterThan(100);
    }
  });

  it('the English edition stays left to right', async () => {
    const page = await browser.newPage({ viewport: { width: 800, height: 900 } });
    await page.route('**/*', (route) => route.abort());
    await page.setContent(renderWeb(issue), { waitUntil: 'load' });
    const direction = await page.evaluate(() => getComputedStyle(document.body).direction);
    await page.close();
    expect(direction).toBe('ltr');
  });
});

describe('an Arabic-language email edition', () => {
  it('carries dir="rtl" and lang="ar"', async () => {
    const { html } = await renderEmail(arabic);
    expect(html).toMatch(/<html lang="ar" dir="rtl"/);
    const english = await renderEmail(issue);
    expect(english.html).not.toMatch(/dir="rtl"/);
  });
});
