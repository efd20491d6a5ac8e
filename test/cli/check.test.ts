import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { checkIssueFile } from '../../src/cli/check.ts';
import { bulletin } from '../support/cli.ts';
import { issue005WithExtraArticles, issueFile } from '../support/issue-files.ts';

/** Where links point in these tests unless a test says otherwise: not loopback, so no warning. */
const PUBLIC = { PUBLIC_URL: 'https://bulletin.example.org' };

/** Issue 005 with ten more short articles: its email is just over Gmail's clipping size. */
const issue005JustOverTheLimit = () =>
  issue005WithExtraArticles(
    10,
    'An extra paragraph of plain text that makes the issue longer, written to fill the email edition up to the limit. '
      .repeat(3)
      .trim(),
  );

/** Runs checkIssueFile in a fresh process and lists the npm packages it loaded. */
function packagesLoadedByCheck(file: string): string[] {
  const run = spawnSync(
    process.execPath,
    ['test/support/loaded-packages.mjs', 'src/cli/check.ts', 'checkIssueFile', file],
    { encoding: 'utf8', timeout: 60_000 },
  );
  return (JSON.parse(run.stdout) as { packages: string[] }).packages;
}

describe('bulletin check', () => {
  it('says ok to the sample issues, and warns that 025 prints a name twice', () => {
    const run = bulletin(['check', 'issues/global-eye/005.md', 'issues/trafficking-in-migrants/025.md'], {
      env: PUBLIC,
    });
    expect(run.stdout).toContain('issues/global-eye/005.md: ok');
    expect(run.stdout).toContain('issues/trafficking-in-migrants/025.md: ok');
    expect(run.stdout).toMatch(/025\.md:195:1 warning article-repeats-section: /);
    expect(run.stdout).toContain('0 errors, 1 warning');
    expect(run.status).toBe(0);
  });

  it('prints every problem of a broken file as one line each and exits 1, without a stack trace', () => {
    const { file } = issueFile(
      '001.md',
      '---\nnumber: 1\ntitle: T\ndate: 2024-02-30\n---\n# Nope\n\n## A\n\nText <b>bold</b>.\n',
    );
    const run = bulletin(['check', file], { env: PUBLIC });
    expect(run.status).toBe(1);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(
      /001\.md:4:1 error invalid-field: date: must be a date written YYYY-MM-DD or YYYY-MM\./,
    );
    expect(lines[1]).toMatch(/001\.md:6:1 error unknown-section: Unknown section "Nope"\. Use one of: /);
    expect(lines[2]).toMatch(
      /001\.md:10:6 error raw-html: Raw HTML is not allowed \(<b>\)\. Write it in Markdown instead/,
    );
    expect(lines[3]).toBe('3 errors, 0 warnings');
    expect(run.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('warns where a character cannot be printed by the PDF fonts', () => {
    const { file } = issueFile(
      '003.md',
      '---\nnumber: 3\ntitle: T\ndate: 2024-02\n---\n# Feature\n\n## A\n\nA snowman \u2603 here.\n',
    );
    const run = bulletin(['check', file], { env: PUBLIC });
    expect(run.stdout).toMatch(
      /003\.md:10:11 warning missing-glyph: The PDF fonts have no glyph for "\u2603" \(U\+2603\)/,
    );
    expect(run.stdout).toContain('0 errors, 1 warning');
    expect(run.status).toBe(0);
  });

  it('warns once, for all files, when the editions would link to a loopback PUBLIC_URL', () => {
    const run = bulletin(['check', 'issues/global-eye/005.md', 'issues/global-eye/005.md'], {
      env: { PUBLIC_URL: 'http://127.0.0.1:3000' },
    });
    const warnings = run.stdout.split('\n').filter((line) => line.includes('public-url'));
    expect(warnings).toEqual([
      'warning public-url: The editions\' links would point at http://127.0.0.1:3000, which only this computer can open: the PDF would print "This issue on the web: http://127.0.0.1:3000/global-eye/005/". Set PUBLIC_URL to the address the web edition is served from, e.g. PUBLIC_URL=https://bulletin.example.org.',
    ]);
    expect(run.status).toBe(0);
  });
});

describe('bulletin check of translations', () => {
  it('checks an issue with its translations: 005.md and its complete French translation are ok', () => {
    const run = bulletin(['check', 'issues/global-eye/005.md'], { env: PUBLIC });
    expect(run.stdout).toBe(
      'issues/global-eye/005.md: ok\nissues/global-eye/005.fr.md: ok\n0 errors, 0 warnings\n',
    );
    expect(run.status).toBe(0);
  });

  it('checks an Arabic translation: the PDF has faces for its letters, so none is reported', () => {
    const run = bulletin(['check', 'test/fixtures/translations/arabic/005.md'], { env: PUBLIC });
    expect(run.stdout).toBe(
      'test/fixtures/translations/arabic/005.md: ok\ntest/fixtures/translations/arabic/005.ar.md: ok\n0 errors, 0 warnings\n',
    );
    expect(run.status).toBe(0);
  });

  it('checks a translation alone against its original', () => {
    const run = bulletin(['check', 'test/fixtures/translations/partial/001.es.md'], { env: PUBLIC });
    expect(run.stdout.trim().split('\n')).toEqual([
      'test/fixtures/translations/partial/001.es.md:43:1 error translation-missing-article: Article 2 of section "Initiatives" in the original, "UN Inter-Agency Project on Human Trafficking (UNIAP)" (001.md:45:1), is missing from this translation. Translate it here, in the same place, with the same fields.',
      'test/fixtures/translations/partial/001.es.md:43:1 error translation-missing-section: Section "Events and Publications" of the original (001.md:52:1) is missing from this translation. Translate it here, under "# Events and Publications" (the section\'s keyword stays as in the original).',
      '2 errors, 0 warnings',
    ]);
    expect(run.status).toBe(1);
  });

  it('checks a folder: every issue with its translations, each reported once', () => {
    const folder = 'test/fixtures/translations/mismatched';
    const run = bulletin(['check', folder, `${folder}/001.fr.md`], { env: PUBLIC });
    const lines = run.stdout.trim().split('\n');
    expect(lines.map((line) => line.replace(/ error ([a-z-]+):.*/, ' $1'))).toEqual([
      `${folder}/001.md: ok`,
      `${folder}/001.es.md:34:1 translation-order`,
      `${folder}/001.fr.md:25:1 translation-extra-section`,
      `${folder}/001.fr.md:49:1 translation-extra-article`,
      '3 errors, 0 warnings',
    ]);
    expect(run.status).toBe(1);
  });
});

describe('the email size check', () => {
  it('reports an issue whose email is just over Gmail clipping size', async () => {
    const file = issue005JustOverTheLimit();
    const { problems } = await checkIssueFile(file);
    expect(problems.map((p) => `${p.severity} ${p.code}`)).toEqual(['warning email-size']);
    expect(problems[0]?.message).toMatch(
      /The email edition is 10\d\.\d KiB, over Gmail's 100\.0 KiB clipping limit/,
    );
    expect(problems[0]?.location?.file).toBe(file);
  });

  it('does not report issue 005 (about 82 KB)', async () => {
    expect((await checkIssueFile('issues/global-eye/005.md')).problems).toEqual([]);
  });
});

describe('what check loads', () => {
  const HEAVY = ['mjml', 'pdfkit', 'fontkit', 'bullmq', 'ioredis', 'pg'];

  it('loads neither MJML, nor pdfkit and fontkit, nor the queue or a database, for issue 005', () => {
    const packages = packagesLoadedByCheck('issues/global-eye/005.md');
    expect(packages).toContain('markdown-it'); // the probe sees what is loaded
    expect(packages.filter((name) => HEAVY.includes(name))).toEqual([]);
  });

  it('nor for an edition in Arabic script', () => {
    const packages = packagesLoadedByCheck('test/fixtures/translations/arabic/005.ar.md');
    expect(packages).toContain('markdown-it');
    expect(packages.filter((name) => HEAVY.includes(name))).toEqual([]);
  });

  it('loads MJML only to measure an email near the limit', () => {
    expect(packagesLoadedByCheck(issue005JustOverTheLimit())).toContain('mjml');
  });
});
