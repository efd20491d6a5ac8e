// The subscribers and contributions pages in Chromium, as `bulletin serve` runs them (its private
// PostgreSQL and Redis), with JavaScript off: a publisher finds a reader with the search form,
// reads their record, reaches the erasure's confirmation (and keeps the reader), invites someone,
// then reads a contribution and marks it handled; axe-core finds no violation on the pages on
// the way. Screenshots go to test-artifacts/admin/ (axe's findings in readers-axe.json).

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListService } from '../../src/cli/serve.ts';
import { getContribution, saveContribution } from '../../src/inbound/contributions.ts';
import { findSubscriber } from '../../src/subscribers/store.ts';
import { adminInChromium, ENVIRONMENT_PUBLISHER, signInWithTheForm } from '../support/admin-browser.ts';
import { axeAlong, writeAxeFindings } from '../support/browser.ts';
import { seedReaders } from '../support/campaigns.ts';
import { anArticle } from '../support/contributions.ts';
import { tempDataDir } from '../support/data-dir.ts';

const ARTEFACTS = 'test-artifacts/admin';

const data = tempDataDir();
let base: string;
let service: ListService;
let browser: Browser;
let contribution: number;

beforeAll(async () => {
  mkdirSync(ARTEFACTS, { recursive: true });
  ({ service, browser, base } = await adminInChromium(data.dir));
  await seedReaders(service.db, 60);
  await service.db.query(
    'UPDATE subscribers SET imported_consent = \'{"file": "old.csv", "optin_ip": "192.0.2.1"}\' WHERE email = \'reader42@example.org\'',
  );
  contribution = await saveContribution(service.db, anArticle());
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await service?.stop();
  data.remove();
});

describe('subscribers and contributions in Chromium', () => {
  it('finds a reader, reads their record, invites, reads a contribution and marks it handled; axe finds nothing', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const { found, check, violations } = axeAlong(browser, context, page, ARTEFACTS);
    const heading = () => page.getByRole('heading', { level: 1 }).textContent();
    try {
      await page.goto(`${base}/admin/subscribers`);
      await signInWithTheForm(page);
      expect(new URL(page.url()).pathname).toBe('/admin/subscribers');
      await check('subscribers-publications');

      await page.getByRole('link', { name: 'The Global Eye on Human Trafficking' }).click();
      await expect(heading()).resolves.toBe('Subscribers of The Global Eye on Human Trafficking');
      await check('subscribers');

      await page.getByLabel('Address contains').fill('reader42');
      await page.getByRole('button', { name: 'Search' }).click();
      await check('subscribers-search');
      await page.getByRole('link', { name: 'reader42@example.org' }).click();
      await expect(heading()).resolves.toBe('reader42@example.org');
      await expect(page.getByText('"optin_ip": "192.0.2.1"').count()).resolves.toBe(1);
      await check('subscriber');

      await page.getByRole('link', { name: 'Erase this reader (GDPR)…' }).click();
      await expect(heading()).resolves.toBe('Erase reader42@example.org?');
      await check('subscriber-erase');
      await page.getByRole('link', { name: 'Keep the reader' }).click();
      await expect(heading()).resolves.toBe('reader42@example.org');

      await page
        .getByRole('link', { name: 'All subscribers of The Global Eye on Human Trafficking' })
        .click();
      await page.locator('#invite-email').fill('invited@example.org');
      await page.getByRole('button', { name: 'Send the confirmation' }).click();
      await expect(page.getByRole('status').textContent()).resolves.toContain(
        'A confirmation mail is on its way to invited@example.org',
      );
      expect((await findSubscriber(service.db, 'global-eye', 'invited@example.org'))?.status).toBe('pending');

      await page.getByRole('link', { name: 'Contributions' }).click();
      await check('contributions-publications');
      await page.getByRole('link', { name: 'The Global Eye on Human Trafficking' }).click();
      await check('contributions');
      await page.getByRole('link', { name: 'An article for issue 6' }).click();
      await expect(heading()).resolves.toBe('An article for issue 6');
      await expect(page.getByText('please find my article attached.').count()).resolves.toBe(1);
      await check('contribution');
      await page.getByRole('button', { name: 'Mark as handled' }).click();
      await expect(page.getByRole('status').textContent()).resolves.toBe(
        `Contribution ${contribution} marked handled.`,
      );
      expect((await getContribution(service.db, 'global-eye', contribution))?.handledBy).toBe(
        ENVIRONMENT_PUBLISHER.name,
      );
      await check('contribution-handled');
    } finally {
      writeAxeFindings(join(ARTEFACTS, 'readers-axe.json'), found);
      await context.close();
    }
    expect(violations()).toEqual([]);
  }, 120_000);
});
