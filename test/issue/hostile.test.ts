import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadIssue } from '../../src/issue/load.ts';
import { renderEmail } from '../../src/render/email/index.ts';
import { renderText } from '../../src/render/text/index.ts';
import { renderWeb } from '../../src/render/web/index.ts';

const FIXTURE = new URL('./fixtures/bulletin/', import.meta.url).pathname;
const FRONT = '---\nnumber: 1\ntitle: T\ndate: 2024-03\n---\n';

function write(text: string | Buffer): string {
  const folder = join(mkdtempSync(join(tmpdir(), 'bulletin-hostile-')), 'bulletin');
  cpSync(FIXTURE, folder, { recursive: true });
  writeFileSync(join(folder, '001.md'), text);
  return join(folder, '001.md');
}

const HOSTILE: Array<[string, string | Buffer]> = [
  ['an unterminated front matter', '---\nnumber: 1\ntitle: T\n# Feature\n'],
  ['front matter that is a list', '---\n- a\n- b\n---\n# Feature\n'],
  ['NUL bytes', `${FRONT}# Feature\n\n## A\n\nText\u0000more\n`],
  [
    'invalid UTF-8',
    Buffer.concat([
      Buffer.from(`${FRONT}# Feature\n\n## A\n\n`),
      Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x0a]),
    ]),
  ],
  ['an unclosed box', `${FRONT}# Feature\n\n## A\n\n::: sidebar\n::: pullquote\ntext\n`],
  [
    'a deeply nested list',
    `${FRONT}# Feature\n\n## A\n\n${Array.from({ length: 200 }, (_, i) => `${'  '.repeat(i)}- x`).join('\n')}\n`,
  ],
  ['a very long line', `${FRONT}# Feature\n\n## A\n\n${'word '.repeat(200_000)}\n`],
  [
    'thousands of articles',
    `${FRONT}# Feature\n\n${Array.from({ length: 3000 }, (_, i) => `## A${i}\n\nx\n`).join('\n')}`,
  ],
  [
    'Handlebars and placeholders in the text',
    `${FRONT}# Feature\n\n## {{title}}\n\n{{{publication.name}}} %%web_url \`{{x}}\`\n`,
  ],
  [
    'a title that is markup',
    '---\nnumber: 1\ntitle: "</mj-title><mj-raw><script>alert(1)</script></mj-raw>"\ndate: 2024-03\n---\n# Feature\n\n## A\n\nx\n',
  ],
  ['an empty file', ''],
  ['a field block only', `${FRONT}# Feature\n\n## A\nBy: Me\n`],
];

describe('hostile issue files', () => {
  it('refuses a file that is not UTF-8 text, at the line of the first bad byte', () => {
    const bytes = Buffer.concat([
      Buffer.from(`${FRONT}# Feature\n\n## A\n\n`),
      Buffer.from([0xc3, 0x28, 0x0a]),
    ]);
    const { issue, problems } = loadIssue(write(bytes));
    expect(issue).toBeUndefined();
    expect(problems.map((p) => `${p.code} ${p.location?.line}`)).toEqual(['not-text 10']);
  });

  it.each(HOSTILE)(
    '%s: loads or reports problems, never throws; what loads renders safely',
    async (_, text) => {
      const result = loadIssue(write(text));
      expect(Array.isArray(result.problems)).toBe(true);
      if (!result.issue) {
        expect(result.problems.some((p) => p.severity === 'error')).toBe(true);
        return;
      }
      const { html } = await renderEmail(result.issue);
      const web = renderWeb(result.issue);
      renderText(result.issue);
      for (const page of [html, web]) {
        expect(page).not.toMatch(/<script>alert/);
        expect(page).not.toContain('<mj-');
      }
    },
  );
});
