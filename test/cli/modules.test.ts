import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BIN } from '../support/cli.ts';

const MODULE_LOG = fileURLToPath(new URL('../support/module-log.js', import.meta.url));

/** The npm packages a `node` process loaded, as recorded by test/support/module-log.js. */
function packagesLoaded(
  args: string[],
  env: Record<string, string> = {},
): { status: number | null; stdout: string; packages: Set<string> } {
  const log = join(mkdtempSync(join(tmpdir(), 'bulletin-modules-')), 'modules.txt');
  const run = spawnSync(process.execPath, ['--import', MODULE_LOG, ...args], {
    env: { ...process.env, ...env, MODULE_LOG: log },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const packages = new Set(
    readFileSync(log, 'utf8')
      .split('\n')
      .map((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1])
      .filter((name): name is string => name !== undefined),
  );
  return { status: run.status, stdout: run.stdout, packages };
}

/** What only rendering, delivery, serving or the database need. (Handlebars is not among them:
 *  `check` sizes the email from its MJML source, which Handlebars writes, without running MJML.) */
const HEAVY = [
  'pdfkit',
  'mjml',
  'bullmq',
  'ioredis',
  'nodemailer',
  'pg',
  'fastify',
  'smtp-server',
  'imapflow',
  'mailparser',
  'pino',
];

describe('each command loads only what it uses', () => {
  it('the recorder sees a package a process loads (so an absence below means something)', () => {
    const run = packagesLoaded(['--input-type=module', '-e', "await import('pdfkit')"]);
    expect(run.status).toBe(0);
    expect(run.packages).toContain('pdfkit');
  });

  it('`--help` loads commander and nothing heavy, not even the issue parser or the config schema', () => {
    const run = packagesLoaded([BIN, '--help']);
    expect(run.stdout).toContain('Usage: bulletin');
    expect([...run.packages]).toEqual(['commander']);
  });

  // 025's email is far from Gmail's clipping size; an email near it (005's French edition) is
  // rendered by MJML to be measured exactly.
  it('`check` loads the issue parser and fonts, never the PDF, email, queue, mail or database code', () => {
    const run = packagesLoaded([BIN, 'check', 'issues/trafficking-in-migrants/025.md']);
    expect(run.stdout).toContain('issues/trafficking-in-migrants/025.md: ok');
    expect(run.packages).toContain('markdown-it');
    for (const heavy of HEAVY) expect(run.packages, heavy).not.toContain(heavy);
  });

  // Opening the embedded store is slow on a loaded machine.
  it('`status` opens the database but loads no renderer, queue or mail code', { timeout: 90_000 }, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bulletin-modules-data-'));
    const run = packagesLoaded([BIN, 'status'], { BULLETIN_DATA_DIR: dataDir });
    expect(run.stdout).toContain('No campaigns yet');
    for (const heavy of [
      'pdfkit',
      'fontkit',
      'mjml',
      'handlebars',
      'markdown-it',
      'bullmq',
      'nodemailer',
      'fastify',
    ])
      expect(run.packages, heavy).not.toContain(heavy);
  });
});
