// The public site in Chromium, on a running `bulletin serve` (SMTP to a sink, the data dir's
// private PostgreSQL and Redis): a reader's whole journey with JavaScript off, axe-core on every
// kind of page, and screenshots of the home page, an archive and an issue at 1280 and 375 px,
// saved under test-artifacts/site/ (with axe's findings in axe.json).

import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.ts';
import { publishAndFollow } from '../../src/cli/publish.ts';
import type { ListService } from '../../src/cli/serve.ts';
import { systemClock } from '../../src/clock.ts';
import type { Config } from '../../src/config.ts';
import { DEFAULT_SETTINGS } from '../../src/delivery/settings.ts';
import { findSubscriber, requestSubscription } from '../../src/subscribers/store.ts';
import { type AxeViolation, axe, launchChromium, writeAxeFindings } from '../support/browser.ts';
import { tempDataDir } from '../support/data-dir.ts';
import { serveInProcess } from '../support/serve.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';
import { load } from './fixture.ts';

const ARTEFACTS = 'test-artifacts/site';
const READER = 'reader@example.org';
const FEATURE = 'straddling-the-border-drug-mules-and-human-trafficking';

const data = tempDataDir();
let config: Config;
let base: string;
let sink: SmtpSink;
let service: ListService;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTEFACTS, { recursive: true });
  sink = await startSmtpSink();
  [{ service, config, base }, browser] = await Promise.all([
    serveInProcess({
      BULLETIN_DATA_DIR: data.dir,
      SMTP_URL: sink.url,
      BULLETIN_SECRET: 'site-test-secret-site-test-secret-0123',
      LOG_LEVEL: 'silent',
    }),
    launchChromium(),
  ]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await service?.stop();
  await sink?.stop();
  data.remove();
});

const status = async (email: string) => (await findSubscriber(service.db, 'global-eye', email))?.status;
const heading = (page: Page) => page.locator('h1').innerText();

/** `bulletin publish` in this process: editions stored, search indexed, the issue delivered to the sink. */
async function publish(file: string): Promise<void> {
  const context: CliContext = {
    config: () => config,
    stdout: new PassThrough().resume(),
    stderr: new PassThrough().resume(),
    exitCode: 0,
    clock: systemClock,
  };
  await publishAndFollow([load(file)], DEFAULT_SETTINGS, {}, context);
  expect(context.exitCode).toBe(0);
}

describe('a reader’s journey, without JavaScript', () => {
  it('signs up, confirms, reads the issue from the email, downloads the PDF, searches, unsubscribes', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, acceptDownloads: true });
    const page = await context.newPage();

    // Sign up with the form, and confirm from the mailed link.
    await page.goto(`${base}/`);
    await page.getByRole('link', { name: 'Subscribe to The Global Eye on Human Trafficking' }).click();
    await page.getByLabel('Email address').fill(READER);
    await page.getByRole('button', { name: 'Subscribe' }).click();
    expect(await heading(page)).toBe('Please check your inbox');
    const confirmation = await sink.next((m) => m.to.includes(READER));
    const confirmLink = /https?:\/\/\S+\/confirm\/[0-9a-z-]+/.exec(confirmation.parsed.text ?? '')?.[0];
    expect(confirmLink?.startsWith(`${base}/confirm/`)).toBe(true);
    await page.goto(confirmLink as string);
    await page.getByRole('button', { name: 'Confirm my subscription' }).click();
    expect(await heading(page)).toBe('You are subscribed');
    expect(await status(READER)).toBe('confirmed');
    await sink.next((m) => m.to.includes(READER) && /Welcome/.test(m.parsed.subject ?? ''));

    // The issue is published; its email links the web edition.
    await publish('issues/global-eye/005.md');
    const issueMail = await sink.next(
      (m) => m.to.includes(READER) && /Straddling/.test(m.parsed.subject ?? ''),
    );
    const html = String(issueMail.parsed.html);
    const webLink = [...html.matchAll(/href="([^"]+)"[^>]*>Read this issue on the web</g)][0]?.[1];
    expect(webLink).toBe(`${base}/global-eye/005/`);
    await page.goto(webLink as string);
    expect(await heading(page)).toBe('The Global Eye on Human Trafficking');

    // The PDF link downloads exactly the PDF that was published.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('header.masthead').getByRole('link', { name: 'Download the PDF edition' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('global-eye-005.pdf');
    const downloaded = readFileSync(await download.path());
    const published = readFileSync(join(data.dir, 'editions', 'global-eye', '005', 'global-eye-005.pdf'));
    expect(downloaded.subarray(0, 5).toString()).toBe('%PDF-');
    expect(downloaded.equals(published)).toBe(true);

    // Search a phrase of an article and land on its permalink.
    await page.getByRole('searchbox', { name: 'Search' }).fill('"boyfriend syndrome"');
    await page.getByRole('searchbox', { name: 'Search' }).press('Enter');
    expect(await heading(page)).toBe('Search The Global Eye on Human Trafficking');
    expect(await page.locator('mark').allInnerTexts()).toEqual(
      expect.arrayContaining(['boyfriend', 'syndrome']),
    );
    await page
      .getByRole('link', { name: 'Straddling the Border: Drug Mules and Human Trafficking' })
      .first()
      .click();
    expect(page.url()).toBe(`${base}/global-eye/005/#${FEATURE}`);
    expect(await page.locator(`article#${FEATURE} h2`).innerText()).toBe(
      'Straddling the Border: Drug Mules and Human Trafficking',
    );

    // Unsubscribe from the email's link.
    const unsubscribeLink = [...html.matchAll(/href="([^"]+\/unsubscribe\/[^"]+)"/g)][0]?.[1];
    await page.goto(unsubscribeLink as string);
    await page.getByRole('button', { name: 'Unsubscribe' }).click();
    expect(await heading(page)).toBe('You are unsubscribed');
    expect(await status(READER)).toBe('unsubscribed');
    await context.close();
  }, 180_000);
});

describe('accessibility (axe-core in Chromium)', () => {
  it('finds no serious or critical violation on any kind of page', async () => {
    const pending = await requestSubscription(service.db, {
      publication: 'global-eye',
      email: 'axe@example.org',
      source: 'web',
      now: new Date(),
    });
    const pages: Record<string, string> = {
      home: '/',
      archive: '/global-eye/',
      issue: '/global-eye/005/',
      search: '/search?q=trafficking',
      'search, nothing found': '/global-eye/search?q=zzzqqq',
      'sign-up': '/global-eye/subscribe',
      confirm: `/confirm/${service.tokens.sign('subscribe', pending)}`,
      unsubscribe: `/unsubscribe/${service.tokens.sign('unsubscribe', pending)}`,
    };
    const page = await browser.newPage();
    const found: Record<string, AxeViolation[]> = {};
    for (const [name, path] of Object.entries(pages)) {
      const response = await page.goto(`${base}${path}`);
      expect(response?.status(), name).toBe(200);
      found[name] = await axe(page);
      const feeds = await page.locator('link[rel="alternate"][type="application/atom+xml"]').count();
      expect(feeds, `${name}: a link to a feed`).toBeGreaterThan(0);
    }
    await page.close();
    writeAxeFindings(join(ARTEFACTS, 'axe.json'), found);
    const serious = Object.entries(found).flatMap(([name, violations]) =>
      violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${name}: ${v.id} (${v.help})`),
    );
    expect(serious).toEqual([]);
  }, 120_000);

  it('has one h1, headings in order, landmarks, a skip link and the language on each page', async () => {
    const page = await browser.newPage();
    for (const path of ['/', '/global-eye/', '/global-eye/005/', '/search?q=trafficking']) {
      await page.goto(`${base}${path}`);
      const facts = await page.evaluate(() => {
        const levels = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map((h) =>
          Number(h.tagName[1]),
        );
        return {
          lang: document.documentElement.lang,
          h1: levels.filter((l) => l === 1).length,
          skips: levels.some((l, i) => i > 0 && l > (levels[i - 1] as number) + 1),
          main: document.querySelectorAll('main').length,
          skip: document.querySelector('a.skip')?.getAttribute('href'),
          nav: document.querySelectorAll('nav').length > 0,
        };
      });
      expect(facts, path).toEqual({ lang: 'en-GB', h1: 1, skips: false, main: 1, skip: '#main', nav: true });
    }
    await page.close();
  });
});

describe('printing an issue', () => {
  it('leaves out the site’s navigation and search', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/global-eye/005/`);
    await page.emulateMedia({ media: 'print' });
    const shown = await page.evaluate(() =>
      ['.sitebar', 'nav.pager', 'nav.contents', 'main'].map((s) => {
        const element = document.querySelector(s);
        return element ? getComputedStyle(element).display : 'absent';
      }),
    );
    expect(shown).toEqual(['none', 'none', 'none', 'block']);
    await page.close();
  });
});

describe('screenshots', () => {
  it.each([1280, 375])(
    'of the home page, an archive and an issue at %i px, without sideways scrolling',
    async (width) => {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      for (const [name, path] of [
        ['home', '/'],
        ['archive', '/global-eye/'],
        ['issue', '/global-eye/005/'],
      ]) {
        await page.goto(`${base}${path}`);
        expect(await page.evaluate(() => document.documentElement.scrollWidth), name).toBeLessThanOrEqual(
          width,
        );
        const file = join(ARTEFACTS, `${name}-${width}.png`);
        await page.screenshot({ path: file, fullPage: name !== 'issue' });
        expect(readFileSync(file).subarray(1, 4).toString()).toBe('PNG');
      }
      await page.close();
    },
  );
});
