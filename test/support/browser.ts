// Debian's Chromium driven by playwright-core: no browser download, flags for a closed network.
// axe-core, run in its pages.

import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown }>;
}

let axeSource: string | undefined;

/** axe-core's violations on the page as it stands (axe runs as a script: the page needs JavaScript on). */
export async function axe(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
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

/** axe's findings by page name, kept as JSON beside the screenshots. */
export function writeAxeFindings(file: string, found: Record<string, AxeViolation[]>): void {
  writeFileSync(file, `${JSON.stringify(found, null, 2)}\n`);
}

/**
 * axe on each page a journey with JavaScript off passes: `check(name)` opens what `page` shows in
 * a page of its own (with `context`'s cookies, and scripts on for axe), keeps its violations
 * under `name` and saves a screenshot of `page` as `<artefacts>/<name>.png`.
 */
export function axeAlong(
  browser: Browser,
  context: BrowserContext,
  page: Page,
  artefacts: string,
): { found: Record<string, AxeViolation[]>; check(name: string): Promise<void>; violations(): string[] } {
  const found: Record<string, AxeViolation[]> = {};
  return {
    found,
    async check(name) {
      const probe = await browser.newPage();
      await probe.context().addCookies(await context.cookies());
      await probe.goto(page.url());
      found[name] = await axe(probe);
      await probe.close();
      await page.screenshot({ path: join(artefacts, `${name}.png`), fullPage: true });
    },
    violations: () =>
      Object.entries(found).flatMap(([name, violations]) =>
        violations.map((v) => `${name}: ${v.id} ${v.impact} (${v.help})`),
      ),
  };
}
