import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkIssueFile } from '../../src/cli/check.ts';
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

/** A small seeded generator (mulberry32): the same mutations on every run, so a failure reproduces. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Lines and characters that editors mistype, and that parsers trip on. */
const DEBRIS = [
  ':::',
  '::: sidebar',
  '::: pullquote',
  '---',
  '#',
  '# Feature',
  '## ',
  '##### Deep',
  '[^9]',
  '[^1]: A note',
  'Standfrist: x',
  'By:',
  'Date: 2009-13-45',
  '| a | b |',
  '|---|',
  '> ',
  '- ',
  '1. ',
  '![x](images/nope.png)',
  '<b>',
  '`',
  '**',
  '\t',
  '\u2603',
  '🙂',
  '  ',
  'title: "',
  '[link](javascript:x)',
  '\\',
  '\r',
];

describe('randomly broken issue files', () => {
  const sample = readFileSync('issues/global-eye/005.md', 'utf8');
  const folder = join(mkdtempSync(join(tmpdir(), 'bulletin-fuzz-')), 'global-eye');
  cpSync('issues/global-eye', folder, { recursive: true });
  const file = join(folder, '005.md');

  it('never crash check: 120 mutations of issue 005, each loads or reports located problems', async () => {
    const next = random(20260523);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
    for (let round = 0; round < 120; round++) {
      const lines = sample.split('\n');
      for (let edits = 1 + Math.floor(next() * 4); edits > 0; edits--) {
        const at = Math.floor(next() * lines.length);
        const op = pick(['delete', 'duplicate', 'insert', 'splice', 'truncate'] as const);
        if (op === 'delete') lines.splice(at, 1);
        else if (op === 'duplicate') lines.splice(at, 0, lines[at] ?? '');
        else if (op === 'insert') lines.splice(at, 0, pick(DEBRIS));
        else if (op === 'splice') {
          const line = lines[at] ?? '';
          const column = Math.floor(next() * (line.length + 1));
          lines[at] = line.slice(0, column) + pick(DEBRIS) + line.slice(column);
        } else lines.length = Math.max(1, at);
      }
      const text = lines.join('\n');
      writeFileSync(file, text);
      const { problems, issue } = await checkIssueFile(file);
      const lineCount = text.split('\n').length;
      for (const problem of problems) {
        expect(problem.code, text).toMatch(/^[a-z]+(-[a-z]+)*$/);
        expect(problem.message.length).toBeGreaterThan(0);
        expect(problem.location?.line ?? 1).toBeLessThanOrEqual(lineCount + 1);
      }
      if (!issue) expect(problems.some((p) => p.severity === 'error')).toBe(true);
    }
  }, 120_000);
});
