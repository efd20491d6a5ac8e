// Issue files made for a test, in fresh folders under /tmp: one beside the test publication, or a
// copy of The Global Eye's issue 005 grown by extra articles (to reach Gmail's clipping size).

import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** An issue file beside the test publication, in a fresh folder. */
export function issueFile(name: string, text: string): { folder: string; file: string } {
  const folder = mkdtempSync(join(tmpdir(), 'bulletin-cli-'));
  writeFileSync(
    join(folder, 'publication.yml'),
    readFileSync('test/issue/fixtures/bulletin/publication.yml'),
  );
  writeFileSync(join(folder, name), text);
  return { folder, file: join(folder, name) };
}

/** Issue 005 (in a copy of its publication) with `count` more articles of `paragraph`, before Perspectives. */
export function issue005WithExtraArticles(count: number, paragraph: string): string {
  const extra = Array.from({ length: count }, (_, i) => `## Extra Article ${i + 1}\n\n${paragraph}\n`).join(
    '\n',
  );
  const folder = join(mkdtempSync(join(tmpdir(), 'bulletin-cli-')), 'global-eye');
  cpSync('issues/global-eye', folder, { recursive: true });
  const text = readFileSync('issues/global-eye/005.md', 'utf8').replace(
    '# Perspectives',
    `${extra}\n# Perspectives`,
  );
  writeFileSync(join(folder, '005.md'), text);
  // Its translations no longer correspond (translation-missing-article would stop a publish).
  for (const translation of readdirSync(folder).filter((name) => /^005\.[a-z]{2,3}\.md$/.test(name)))
    rmSync(join(folder, translation));
  return join(folder, '005.md');
}
