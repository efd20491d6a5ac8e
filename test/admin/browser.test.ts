// The admin in Chromium, as `bulletin serve` runs it (its private PostgreSQL and Redis): a
// publisher signs in through the form with the environment's account, opens the campaigns, pauses
// one and resumes it with the buttons; axe-core finds no violation on the pages on the way.
// Screenshots are saved under test-artifacts/admin/ (with axe's findings in axe.json).

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCampaign, getCampaign } from '../../src/campaigns/store.ts';
import { type ListService, startListService } from '../../src/cli/serve.ts';
import { loadConfig } from '../../src/config.ts';
import { launchChromium } from '../support/browser.ts';
import { campaignOf, seedReaders } from '../support/campaigns.ts';
import { tempDataDir } from '../support/data-dir.ts';
import { freePort } from '../support/ports.ts';

const ARTEFACTS = 'test-artifacts/admin';
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const USER = 'admin';
const PASSWORD = 'a publisher in the environment';

const data = tempDataDir();
let base: string;
let service: ListService;
let browser: Browser;
let campaignId: number;

beforeAll(async () => {
  mkdirSync(ARTEFACTS, { recursive: true });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    BULLETIN_DATA_DIR: data.dir,
    PUBLIC_URL: base,
    BULLETIN_SECRET: 'admin-test-secret-admin-test-secret-0123',
    BULLETIN_ADMIN_USER: USER,
    BULLETIN_ADMIN_PASSWORD: PASSWORD,
    LOG_LEVEL: 'silent',
  });
  [service, browser] = await Promise.all([
    startListService({
      config,
      issuesDir: 'issues',
      http: { host: '127.0.0.1', port },
      smtp: { host: '127.0.0.1', port: 0 },
      log: pino({ level: 'silent' }),
    }),
    launchChromium(),
  ]);
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

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown }>;
}

async function axe(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const run = (globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe
      .run;
    const result = await run();
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
}

describe('the admin in Chromium', () => {
  it('signs in through the form, pauses and resumes a campaign with its buttons, and passes axe', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const found: Record<string, AxeViolation[]> = {};
    const check = async (name: string) => {
      // axe runs as a script; the page itself needs none (its context has JavaScript off).
      const probe = await browser.newPage();
      await probe.context().addCookies(await context.cookies());
      await probe.goto(page.url());
      found[name] = await axe(probe);
      await probe.close();
      await page.screenshot({ path: join(ARTEFACTS, `${name}.png`), fullPage: true });
    };
    try {
      await page.goto(`${base}/admin/campaigns`);
      expect(new URL(page.url()).pathname).toBe('/admin/login');
      await check('login');

      await page.getByLabel('Name').fill(USER);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
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
      writeFileSync(join(ARTEFACTS, 'axe.json'), `${JSON.stringify(found, null, 2)}\n`);
      await context.close();
    }
    expect(
      Object.entries(found).flatMap(([name, violations]) =>
        violations.map((v) => `${name}: ${v.id} ${v.impact} (${v.help})`),
      ),
    ).toEqual([]);
  }, 120_000);
});
