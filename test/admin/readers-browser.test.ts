// The subscribers and contributions pages in Chromium, as `bulletin serve` runs them (its private
// PostgreSQL and Redis), with JavaScript off: a publisher finds a reader with the search form,
// reads their record, reaches the erasure's confirmation (and keeps the reader), invites someone,
// then reads a contribution and marks it handled; axe-core finds no violation on the pages on
// the way. Screenshots go to test-artifacts/admin/ (axe's findings in readers-axe.json).

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ListService, startListService } from '../../src/cli/serve.ts';
import { loadConfig } from '../../src/config.ts';
import { getContribution, saveContribution } from '../../src/inbound/contributions.ts';
import { findSubscriber } from '../../src/subscribers/store.ts';
import { launchChromium } from '../support/browser.ts';
import { seedReaders } from '../support/campaigns.ts';
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
let contribution: number;

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
  await seedReaders(service.db, 60);
  await service.db.query(
    'UPDATE subscribers SET imported_consent = \'{"file": "old.csv", "optin_ip": "192.0.2.1"}\' WHERE email = \'reader42@example.org\'',
  );
  contribution = await saveContribution(service.db, {
    publication: 'global-eye',
    receivedAt: new Date('2026-06-01T09:30:00Z'),
    envelopeFrom: 'writer@example.org',
    fromAddress: 'writer@example.org',
    fromName: 'Wanda Writer',
    subject: 'An article for issue 6',
    text: 'Dear editors,\n\nplease find my article attached.\n',
    raw: Buffer.from('Subject: An article for issue 6\r\n\r\nDear editors\r\n'),
    attachments: [
      { filename: 'article.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF-1.4') },
    ],
  });
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

describe('subscribers and contributions in Chromium', () => {
  it('finds a reader, reads their record, invites, reads a contribution and marks it handled; axe finds nothing', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const found: Record<string, AxeViolation[]> = {};
    const check = async (name: string) => {
      const probe = await browser.newPage();
      await probe.context().addCookies(await context.cookies());
      await probe.goto(page.url());
      found[name] = await axe(probe);
      await probe.close();
      await page.screenshot({ path: join(ARTEFACTS, `${name}.png`), fullPage: true });
    };
    const heading = () => page.getByRole('heading', { level: 1 }).textContent();
    try {
      await page.goto(`${base}/admin/subscribers`);
      await page.getByLabel('Name').fill(USER);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
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
      expect((await getContribution(service.db, 'global-eye', contribution))?.handledBy).toBe(USER);
      await check('contribution-handled');
    } finally {
      writeFileSync(join(ARTEFACTS, 'readers-axe.json'), `${JSON.stringify(found, null, 2)}\n`);
      await context.close();
    }
    expect(
      Object.entries(found).flatMap(([name, violations]) =>
        violations.map((v) => `${name}: ${v.id} ${v.impact} (${v.help})`),
      ),
    ).toEqual([]);
  }, 120_000);
});
