// The admin in Chromium, as `bulletin serve` runs it (its private PostgreSQL and Redis): a
// publisher signs in through the form with the environment's account, opens the campaigns, pauses
// one and resumes it with the buttons; axe-core finds no violation on the pages on the way.
// Screenshots are saved under test-artifacts/admin/ (with axe's findings in axe.json).

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCampaign, getCampaign } from '../../src/campaigns/store.ts';
import type { ListService } from '../../src/cli/serve.ts';
import { adminInChromium, signInWithTheForm } from '../support/admin-browser.ts';
import { axeAlong, writeAxeFindings } from '../support/browser.ts';
import { campaignOf, seedReaders } from '../support/campaigns.ts';
import { tempDataDir } from '../support/data-dir.ts';

const ARTEFACTS = 'test-artifacts/admin';

const data = tempDataDir();
let base: string;
let service: ListService;
let browser: Browser;
let campaignId: number;

beforeAll(async () => {
  mkdirSync(ARTEFACTS, { recursive: true });
  ({ service, browser, base } = await adminInChromium(data.dir));
  await seedReaders(service.db, 25);
  ({
    campaign: { id: campaignId },
  } = await createCampaign(service.db, campaignOf(5, 10), new Date()));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await service?.stop();
  data.remove();
});

describe('the admin in Chromium', () => {
  it('signs in through the form, pauses and resumes a campaign with its buttons, and passes axe', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    // axe runs as a script; the page itself needs none (its context has JavaScript off).
    const { found, check, violations } = axeAlong(browser, context, page, ARTEFACTS);
    try {
      await page.goto(`${base}/admin/campaigns`);
      expect(new URL(page.url()).pathname).toBe('/admin/login');
      await check('login');

      await signInWithTheForm(page);
      expect(new URL(page.url()).pathname).toBe('/admin/campaigns');
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Campaigns');
      await check('campaigns');

      await page.getByRole('link', { name: 'global-eye/005' }).click();
      expect(new URL(page.url()).pathname).toBe(`/admin/campaigns/${campaignId}`);
      await check('campaign');

      await page.getByRole('button', { name: 'Pause' }).click();
      await expect(page.getByRole('status').textContent()).resolves.toContain('paused');
      expect((await getCampaign(service.db, campaignId))?.status).toBe('paused');
      await check('campaign-paused');

      await page.getByRole('button', { name: 'Resume' }).click();
      await expect(page.getByRole('status').textContent()).resolves.toContain('resumed: 3 batch(es) queued');
      expect((await getCampaign(service.db, campaignId))?.status).toBe('sending');

      await page.getByRole('link', { name: 'Queues' }).click();
      expect(new URL(page.url()).pathname).toBe('/admin/queues');

      await page.goBack();
      await page.getByRole('button', { name: 'Sign out' }).click();
      expect(new URL(page.url()).pathname).toBe('/admin/login');
      await page.goto(`${base}/admin/campaigns`);
      expect(new URL(page.url()).pathname).toBe('/admin/login');
    } finally {
      writeAxeFindings(join(ARTEFACTS, 'axe.json'), found);
      await context.close();
    }
    expect(violations()).toEqual([]);
  }, 120_000);
});
