import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIssue } from '../../src/issue/load.ts';
import { renderEmail } from '../../src/render/email/index.ts';
import { editionUrls, fillPlaceholders } from '../../src/render/replacements.ts';
import { launchChromium } from '../support/browser.ts';

const SCREENSHOTS = join(process.cwd(), 'dist', 'screenshots');
const PUBLIC = 'https://news.example.org';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
});
afterAll(() => browser?.close());

describe.each([320, 600])('the Global Eye email at %i px wide in Chromium', (width) => {
  it('fits the screen, keeps text readable and shows every image', async () => {
    const { issue } = loadIssue('issues/global-eye/005.md');
    if (!issue) throw new Error('sample does not load');
    const urls = editionUrls(PUBLIC, issue.publication.slug, issue.code);
    const html = fillPlaceholders(
      (await renderEmail(issue)).html,
      {
        recipient_email: 'reader@example.org',
        unsubscribe_url: `${PUBLIC}/unsubscribe/token`,
        preferences_url: `${PUBLIC}/preferences/token`,
        ...urls,
      },
      'html',
    );
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    // The web edition serves the issue's images; here they come from the issue folder.
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (!url.startsWith(urls.web_url)) return route.abort();
      return route.fulfill({
        contentType: 'image/png',
        body: readFileSync(join('issues/global-eye', url.slice(urls.web_url.length))),
      });
    });
    await page.setContent(html, { waitUntil: 'load' });
    const metrics = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      smallestBodyText: Math.min(
        ...[...document.querySelectorAll('p')].map((p) => Number.parseFloat(getComputedStyle(p).fontSize)),
      ),
      brokenImages: [...document.images].filter((img) => !img.complete || img.naturalWidth === 0).length,
      widestImage: Math.max(...[...document.images].map((img) => img.getBoundingClientRect().right)),
    }));
    await page.screenshot({ path: join(SCREENSHOTS, `global-eye-005-email-${width}.png`), fullPage: false });
    await page.close();
    expect(metrics.scrollWidth).toBeLessThanOrEqual(width);
    expect(metrics.widestImage).toBeLessThanOrEqual(width);
    expect(metrics.smallestBodyText).toBeGreaterThanOrEqual(13);
    expect(metrics.brokenImages).toBe(0);
  });
});
