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

  it('says in one line that the CSV to import does not exist, or is a folder (run as `bulletin`)', () => {
    const args = ['--data-dir', data.dir, 'subscribers', '--publication', 'global-eye', 'import'];
    const missing = bulletin([...args, join(data.dir, 'none.csv')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(
      /^error file-not-found: ENOENT: no such file or directory, open '.*none\.csv' Check the path\.\n$/,
    );
    const folder = bulletin([...args, data.dir]);
    expect(folder.status).toBe(1);
    expect(folder.stderr).toBe(`error file-is-a-folder: ${data.dir} is a folder. Give the path of a file.\n`);
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
      /^2 imported, 0 updated, 1 skipped in [\d.]+ s\n {2}as 1 confirmed, 1 unsubscribed; consent evidence kept for 0\n {2}skipped {2}why {14}lines\n {8}1 {2}invalid address {2}3\n$/,
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

  it('erases an address for good: no add or import brings it back', async () => {
    expect((await run('erase', 'ann@example.org')).stdout).toBe('ann@example.org: erased\n');
    expect((await run('list', '--status', 'unsubscribed')).stdout).toBe(
      'bob@example.org\tunsubscribed\tBob\n',
    );
    const add = await run('add', 'Ann@example.org');
    expect(add.status).toBe(1);
    expect(add.stderr).toBe(
      "error address-erased: Ann@example.org was erased from global-eye at its owner's request. Only they can subscribe again: on the web form (/global-eye/subscribe) or by mail to the list address.\n",
    );
    const csv = join(data.dir, 'again.csv');
    writeFileSync(csv, 'email,name\nann@example.org,Ann\n');
    expect((await run('import', csv)).stdout).toContain("erased earlier at its owner's request");
    expect((await run('list')).stdout).not.toContain('ann@');
  });
});

describe('bulletin subscribers import and export', () => {
  const other = (...args: string[]) =>
    runCommand(registerSubscribers, ['subscribers', '--publication', 'trafficking-in-migrants', ...args], {
      BULLETIN_DATA_DIR: data.dir,
    });
  const table = (stdout: string) =>
    stdout
      .split('\n')
      .slice(2)
      .filter(Boolean)
      .map((line) => line.trim().split(/\s{2,}/));

  it("keeps Mailchimp's opt-outs in any capitalisation, and says what it skipped and why, as a table", async () => {
    const unsubscribed = join(data.dir, 'members_unsubscribed.csv');
    writeFileSync(
      unsubscribed,
      '"Email Address","First Name","Last Name",MEMBER_RATING,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,UNSUB_TIME,UNSUB_REASON\n' +
        '"Grace@example.org","Grace","Hopper",2,"2019-01-01 10:00:00",192.0.2.1,"2019-01-01 10:01:00",192.0.2.1,"2021-02-03 04:05:06","Too much mail"\n',
    );
    // Run as a user would, once: the command is registered in main.ts.
    const first = bulletin([
      '--data-dir',
      data.dir,
      'subscribers',
      '--publication',
      'trafficking-in-migrants',
      'import',
      unsubscribed,
    ]);
    expect(first.stderr).toBe('');
    expect(first.stdout).toMatch(
      /^1 imported, 0 updated, 0 skipped in [\d.]+ s\n {2}as 1 unsubscribed; consent evidence kept for 1\n$/,
    );
    const again = join(data.dir, 'again.csv');
    writeFileSync(
      again,
      'email,name\ngrace@EXAMPLE.org,Grace\nGRACE@example.org,G\nnot an address,\nhal@example.org,Hal\n',
    );
    const second = await other('import', again);
    expect(second.status).toBe(0);
    expect(second.stdout.split('\n')[1]).toBe('  as 1 confirmed; consent evidence kept for 0');
    expect(table(second.stdout)).toEqual([
      ['skipped', 'why', 'lines'],
      ['1', 'duplicate address in the file', '2'],
      ['1', 'unsubscribed earlier; only the subscriber can subscribe again', '3'],
      ['1', 'invalid address', '4'],
    ]);
    expect((await other('list')).stdout).toBe(
      'Grace@example.org\tunsubscribed\tGrace Hopper\nhal@example.org\tconfirmed\tHal\n',
    );
  }, 120_000);

  it("exports each reader's language, format and PDF; an import of the export keeps them", async () => {
    const file = join(data.dir, 'choices.csv');
    writeFileSync(file, 'email,status,language,format,pdf\nlin@example.org,confirmed,fr,notice,attach\n');
    expect((await run('import', file)).stdout).toMatch(/^1 imported, 0 updated, 0 skipped/);
    const exported = join(data.dir, 'choices-export.csv');
    expect((await run('export', '--output', exported)).status).toBe(0);
    const csv = readFileSync(exported, 'utf8');
    expect(csv.split('\n')[0]).toMatch(/,language,format,pdf$/);
    expect(csv).toMatch(/\nlin@example\.org,.*,fr,notice,attach\n/);
    // Into another publication, which is published in English only: its readers cannot choose French.
    const imported = await other('import', exported);
    expect(imported.stdout).toContain(`language "fr" is not one of the publication's (en)`);
  }, 60_000);

  it('exports a name that is a spreadsheet formula as text', async () => {
    expect(
      (await other('add', 'mallory@example.org', '--name', '=HYPERLINK("https://evil.example","Open")'))
        .status,
    ).toBe(0);
    const file = join(data.dir, 'export.csv');
    expect((await other('export', '--output', file)).status).toBe(0);
    const row = readFileSync(file, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('mallory@'));
    expect(row).toMatch(
      /^mallory@example\.org,"'=HYPERLINK\(""https:\/\/evil\.example"",""Open""\)",confirmed,/,
    );
  }, 60_000);
});
