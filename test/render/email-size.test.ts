// `bulletin check` sizes the email edition without MJML when it is clearly under Gmail's limit,
// and with MJML when it is near or over: these tests hold the estimate to the truth.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadIssue } from '../../src/issue/load.ts';
import type { Issue } from '../../src/issue/model.ts';
import { renderEmail } from '../../src/render/email/index.ts';
import {
  CERTAINLY_OVER,
  ESTIMATE_MARGIN,
  emailSize,
  estimateEmailBytes,
  GMAIL_CLIP_BYTES,
} from '../../src/render/email/size.ts';

const SAMPLE = readFileSync('issues/global-eye/005.md', 'utf8');
const PARAGRAPH =
  'An extra paragraph of plain text that makes the issue longer, written to fill the email edition up to the limit. '
    .repeat(3)
    .trim();

/** Issue 005 with `count` short articles added to its Feature section (each about 2.2 KB of email). */
function sampleWith(count: number, entries = 0): Issue {
  const articles = Array.from({ length: count }, (_, i) => `## Extra Article ${i + 1}\n\n${PARAGRAPH}\n`);
  const events = Array.from(
    { length: entries },
    (_, i) => `## Extra Event ${i + 1}\nPlace: Geneva\n\nMet.\n`,
  );
  const text = SAMPLE.replace('# Perspectives', `${articles.join('\n')}\n# Perspectives`).replace(
    /$/,
    `\n${events.join('\n')}`,
  );
  const folder = join(mkdtempSync(join(tmpdir(), 'bulletin-size-')), 'global-eye');
  cpSync('issues/global-eye', folder, { recursive: true });
  writeFileSync(join(folder, '005.md'), text);
  const { issue, problems } = loadIssue(join(folder, '005.md'));
  if (!issue) throw new Error(problems.map((p) => p.message).join('; '));
  return issue;
}

function sample(file: string): Issue {
  return loadIssue(file).issue as Issue;
}

describe('the email size estimate', () => {
  it.each([
    ['issue 005', () => sample('issues/global-eye/005.md')],
    ['issue 025', () => sample('issues/trafficking-in-migrants/025.md')],
    ['005 with 10 more articles', () => sampleWith(10)],
    ['005 with 150 more events', () => sampleWith(0, 150)],
  ])('errs on the large side, by less than 15 per cent: %s', async (_, issue) => {
    const email = await renderEmail(issue());
    const estimate = estimateEmailBytes(email.mjml);
    expect(estimate).toBeGreaterThanOrEqual(email.bytes);
    expect(estimate).toBeLessThan(email.bytes * 1.15);
  });
});

describe('the size check says', () => {
  /** The most articles 005 can gain with its email still under the limit, measured with MJML, so
   *  the cases below sit either side of the limit whatever the templates weigh. */
  let underLimit = 0;
  beforeAll(async () => {
    while ((await renderEmail(sampleWith(underLimit + 1))).bytes <= GMAIL_CLIP_BYTES) underLimit++;
  }, 120_000);

  it('issue 005 (about 82 KB) is under the limit, from the estimate alone', async () => {
    const size = await emailSize(sample('issues/global-eye/005.md'));
    expect(size.exact).toBe(false);
    expect(size.bytes).toBeLessThan(GMAIL_CLIP_BYTES * ESTIMATE_MARGIN);
  });

  it('an issue just under the limit is under it, measured with MJML', async () => {
    const size = await emailSize(sampleWith(underLimit));
    expect(size.exact).toBe(true);
    expect(size.bytes).toBeLessThanOrEqual(GMAIL_CLIP_BYTES);
  });

  it('an issue just over the limit is over it, measured with MJML', async () => {
    const size = await emailSize(sampleWith(underLimit + 1));
    expect(size.exact).toBe(true);
    expect(size.bytes).toBeGreaterThan(GMAIL_CLIP_BYTES);
    expect(size.bytes).toBeLessThan(GMAIL_CLIP_BYTES * 1.03);
  });

  it('an issue far over the limit is over it, from the estimate alone', async () => {
    const size = await emailSize(sampleWith(60));
    expect(size.exact).toBe(false);
    expect(size.bytes).toBeGreaterThan(GMAIL_CLIP_BYTES * CERTAINLY_OVER);
  });
});
