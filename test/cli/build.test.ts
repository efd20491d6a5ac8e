import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bulletin } from '../support/cli.ts';
import { issueFile } from '../support/issue-files.ts';

describe('bulletin build', () => {
  // Issue 005 and its French translation, built once for the tests that read them.
  let out = '';
  let run: ReturnType<typeof bulletin>;
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'bulletin-build-'));
    run = bulletin(['build', 'issues/global-eye/005.md', '--out', out], { timeout: 120_000 });
  }, 130_000);

  it('writes the email edition and its text part, and prints a table of sizes and times', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    for (const name of ['email.html', 'email.txt']) {
      const file = join(out, 'global-eye', '005', name);
      expect(existsSync(file)).toBe(true);
      expect(run.stdout).toMatch(new RegExp(`${name}\\s+[\\d.]+ KiB\\s+\\d+ ms`));
      expect(statSync(file).size).toBeGreaterThan(20_000);
    }
  });

  it('writes the whole PDF edition, rendered on its worker thread, with its size and time', () => {
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/global-eye-005\.pdf\s+[\d.]+ KiB\s+\d+ ms/);
    const pdf = readFileSync(join(out, 'global-eye', '005', 'global-eye-005.pdf'));
    expect(pdf.subarray(0, 8).toString()).toBe('%PDF-1.7');
    expect(pdf.subarray(-6).toString()).toMatch(/%%EOF\n?$/);
    expect(pdf.length).toBeGreaterThan(100_000);
  });

  it("writes each translation's editions in its language's folder: global-eye/fr/005/", () => {
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/global-eye\/fr\/005\/global-eye-005\.pdf\s+[\d.]+ KiB\s+\d+ ms/);
    const english = readFileSync(join(out, 'global-eye', '005', 'index.html'), 'utf8');
    const french = readFileSync(join(out, 'global-eye', 'fr', '005', 'index.html'), 'utf8');
    expect(english).toContain('<html lang="en-GB">');
    expect(french).toContain('<html lang="fr">');
    expect(french).toContain('À cheval sur la frontière');
    // Section headings print the publication's French labels; the file keeps the keywords.
    expect(french).toContain('Événements et publications');
    expect(english).not.toContain('Événements et publications');
    const text = readFileSync(join(out, 'global-eye', 'fr', '005', 'email.txt'), 'utf8');
    expect(text).toContain('DOSSIER');
    // The French PDF links the French web edition, and its images are beside the French page.
    const pdf = readFileSync(join(out, 'global-eye', 'fr', '005', 'global-eye-005.pdf'));
    expect(pdf.subarray(0, 8).toString()).toBe('%PDF-1.7');
    expect(pdf.toString('latin1')).toContain('/Lang (fr)');
    expect(existsSync(join(out, 'global-eye', 'fr', '005', 'images', 'olga-heaven.png'))).toBe(true);
  });

  it('refuses an issue whose translation does not correspond to it, and such a translation alone', () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'bulletin-build-'));
    const alone = bulletin(['build', 'test/fixtures/translations/mismatched/001.md', '--out', elsewhere]);
    expect(alone.status).toBe(1);
    expect(alone.stderr).toContain('error translation-extra-section');
    expect(existsSync(join(elsewhere, 'mismatched'))).toBe(false);
    const partial = bulletin(['build', 'test/fixtures/translations/partial/001.es.md', '--out', elsewhere]);
    expect(partial.status).toBe(1);
    expect(partial.stderr).toContain('error translation-missing-section');
    expect(existsSync(join(elsewhere, 'partial'))).toBe(false);
  });

  it('says in one line that a file is missing', () => {
    const run = bulletin(['build', 'issues/global-eye/999.md']);
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe(
      'error issue-not-found: issues/global-eye/999.md does not exist. Give the path of an issue file, e.g. issues/global-eye/005.md.',
    );
  });

  it('refuses to build a malformed issue and names the problem', () => {
    const { folder, file } = issueFile('002.md', 'no front matter\n');
    const run = bulletin(['build', file, '--out', folder]);
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toMatch(
      /002\.md:1:1 error missing-front-matter: The file does not start with front matter\./,
    );
    expect(existsSync(join(folder, 'bulletin'))).toBe(false);
  });

  it('reports bad configuration in one line', () => {
    const run = bulletin(['build', 'issues/global-eye/005.md', '--out', tmpdir()], {
      env: { PUBLIC_URL: 'not a url' },
    });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toMatch(
      /^error config-not-url: PUBLIC_URL: .*Fix or unset this environment variable\.$/,
    );
  });
});
