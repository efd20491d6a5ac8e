// `bulletin site` as a user runs it: the static copy of what the data dir has published.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { load, publish } from '../site/fixture.ts';
import { bulletin } from '../support/cli.ts';
import { tempDataDir } from '../support/data-dir.ts';

const data = tempDataDir();
beforeAll(async () => {
  await publish(data.dir, load('issues/global-eye/005.md'));
}, 120_000);
afterAll(() => data.remove());

describe('bulletin site', () => {
  it('writes the public site and says what it wrote', () => {
    const out = join(data.dir, 'public');
    const result = bulletin([
      '--data-dir',
      data.dir,
      'site',
      '--out',
      out,
      '--base-url',
      'https://news.example.org',
    ]);
    expect(result.stderr).toBe('');
    // Home, two archives (one empty), the issue; its PDF and images.
    expect(result.stdout).toMatch(
      new RegExp(`^Wrote ${out}: 4 pages \\(1 issue\\), 4 feeds, \\d+ PDFs and images\\.\n$`),
    );
    expect(result.status).toBe(0);
    expect(existsSync(join(out, 'global-eye/005/index.html'))).toBe(true);
  });

  it('refuses an address that is not http(s), in one line', () => {
    const result = bulletin([
      '--data-dir',
      data.dir,
      'site',
      '--out',
      join(data.dir, 'x'),
      '--base-url',
      'ftp://x',
    ]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /^error invalid-base-url: "ftp:\/\/x" is not an http\(s\) address\. Write it like https:\/\/news\.example\.org\.\n$/,
    );
  });
});
