import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { registerSubscribers } from '../../src/cli/subscribers.ts';
import { bulletin } from '../support/cli.ts';
import { tempDataDir } from '../support/data-dir.ts';
import { runCommand } from '../support/run-command.ts';

const data = tempDataDir();
afterAll(() => data.remove());
const run = (...args: string[]) =>
  runCommand(registerSubscribers, ['subscribers', '--publication', 'global-eye', ...args], {
    BULLETIN_DATA_DIR: data.dir,
  });

describe('bulletin subscribers', () => {
  it('needs --publication when there are several (run as `bulletin`)', () => {
    const result = bulletin(['--data-dir', data.dir, 'subscribers', 'list']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'error which-publication: There are several publications. Pass --publication with one of: ',
    );
  });

  it('imports CSV and reports imported, updated and skipped rows with reasons', async () => {
    const csv = join(data.dir, 'in.csv');
    writeFileSync(
      csv,
      'email,name,status\nann@example.org,Ann,confirmed\nbad address,,\nbob@example.org,Bob,unsubscribed\n',
    );
    const result = await run('import', csv);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(
      /^2 imported, 0 updated, 1 skipped in [\d.]+ s\n {2}1 skipped: invalid address \(line 3\)\n$/,
    );
  });

  it('adds, removes, lists and exports', async () => {
    expect((await run('add', 'Cy@Example.ORG', '--name', 'Cy')).stdout).toBe('Cy@example.org: added\n');
    expect((await run('remove', 'ann@example.org')).stdout).toBe('ann@example.org: unsubscribed\n');
    const add = await run('add', 'bob@example.org');
    expect(add.status).toBe(1);
    expect(add.stderr).toContain(
      'error opted-out: bob@example.org unsubscribed, bounced or complained earlier.',
    );
    // One mailbox, one reader: another capitalisation is the same opted-out address.
    const shouted = await run('add', 'BOB@example.org');
    expect(shouted.status).toBe(1);
    expect(shouted.stderr).toContain('error opted-out: BOB@example.org unsubscribed');
    expect((await run('add', 'CY@example.org')).stdout).toBe('CY@example.org: unchanged\n');
    const list = await run('list');
    expect(list.stdout).toBe(
      'ann@example.org\tunsubscribed\tAnn\nbob@example.org\tunsubscribed\tBob\nCy@example.org\tconfirmed\tCy\n',
    );
    expect(list.stderr).toBe('0 pending, 1 confirmed, 2 unsubscribed, 0 bounced, 0 complained\n');
    const file = join(data.dir, 'out.csv');
    expect((await run('export', '--output', file, '--status', 'confirmed')).stderr).toBe(
      '1 subscribers exported\n',
    );
    expect(readFileSync(file, 'utf8')).toMatch(
      /^email,name,status,source,created_at,.*\nCy@example\.org,Cy,confirmed,import,/,
    );
  });

  it('erases an address for good', async () => {
    expect((await run('erase', 'ann@example.org')).stdout).toBe('ann@example.org: erased\n');
    expect((await run('list', '--status', 'unsubscribed')).stdout).toBe(
      'bob@example.org\tunsubscribed\tBob\n',
    );
  });
});
