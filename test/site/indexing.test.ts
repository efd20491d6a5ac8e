// Issues published before the public site existed: their records are written from their issue
// files, so the site lists them, once.

import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editionsRoot } from '../../src/campaigns/published-editions.ts';
import type { IssueRecord } from '../../src/render/web/record.ts';
import { RECORD_FILE } from '../../src/render/web/record.ts';
import { publishedIssues, recordEarlierEditions } from '../../src/site/index.ts';
import { tempDataDir } from '../support/data-dir.ts';
import { load, publications, publish } from './fixture.ts';

const data = tempDataDir();
let folder: string;
beforeAll(async () => {
  folder = await publish(data.dir, load('issues/global-eye/005.md'));
  rmSync(join(folder, RECORD_FILE)); // as `publish` left it before the site
}, 120_000);
afterAll(() => data.remove());

describe('editions published before the site', () => {
  it('get a record from their issue file, dated when their web edition was stored, once', async () => {
    const sites = publications();
    expect(await publishedIssues(editionsRoot(data.dir)).of('global-eye')).toEqual([]);
    expect(await recordEarlierEditions(data.dir, 'issues', sites)).toEqual(['global-eye/005']);
    const record = JSON.parse(readFileSync(join(folder, RECORD_FILE), 'utf8')) as IssueRecord;
    expect(record.renderedAt).toBe(statSync(join(folder, 'index.html')).mtime.toISOString());
    expect(record.pdf).toEqual({
      name: 'global-eye-005.pdf',
      bytes: statSync(join(folder, 'global-eye-005.pdf')).size,
    });
    expect((await publishedIssues(editionsRoot(data.dir)).of('global-eye')).map((r) => r.code)).toEqual([
      '005',
    ]);
    expect(await recordEarlierEditions(data.dir, 'issues', sites)).toEqual([]);
  });

  it('are left alone when their issue file is gone', async () => {
    rmSync(join(folder, RECORD_FILE));
    expect(await recordEarlierEditions(data.dir, join(data.dir, 'no-issues'), publications())).toEqual([]);
    expect(existsSync(join(folder, RECORD_FILE))).toBe(false);
  });
});
