// The admin in Chromium, as `bulletin serve` runs it (its data dir's private PostgreSQL and Redis),
// with the environment's account, a publisher, signing in through the form.

import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './browser.ts';
import { type ServedInProcess, serveInProcess } from './serve.ts';

/** BULLETIN_ADMIN_USER / BULLETIN_ADMIN_PASSWORD of the admin in Chromium: a publisher. */
export const ENVIRONMENT_PUBLISHER = { name: 'admin', password: 'a publisher in the environment' };

/** `bulletin serve` in this process on `dataDir`, with ENVIRONMENT_PUBLISHER, and Chromium. */
export async function adminInChromium(dataDir: string): Promise<ServedInProcess & { browser: Browser }> {
  const [served, browser] = await Promise.all([
    serveInProcess({
      BULLETIN_DATA_DIR: dataDir,
      BULLETIN_SECRET: 'admin-test-secret-admin-test-secret-0123',
      BULLETIN_ADMIN_USER: ENVIRONMENT_PUBLISHER.name,
      BULLETIN_ADMIN_PASSWORD: ENVIRONMENT_PUBLISHER.password,
      LOG_LEVEL: 'silent',
    }),
    launchChromium(),
  ]);
  return { ...served, browser };
}

/** Fills in the admin's sign-in form on `page` as ENVIRONMENT_PUBLISHER and sends it. */
export async function signInWithTheForm(page: Page): Promise<void> {
  await page.getByLabel('Name').fill(ENVIRONMENT_PUBLISHER.name);
  await page.getByLabel('Password').fill(ENVIRONMENT_PUBLISHER.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
