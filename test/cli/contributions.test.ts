import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerContributions } from '../../src/cli/contributions.ts';
import { markHandled, saveContribution } from '../../src/inbound/contributions.ts';
import { withStore } from '../../src/store/open.ts';
import { bulletin } from '../support/cli.ts';
import { tempDataDir } from '../support/data-dir.ts';
import { runCommand } from '../support/run-command.ts';

const data = tempDataDir();
const raw = Buffer.from('From: Ann <ann@example.org>\r\nSubject: Field report\r\n\r\nFrom Accra.\r\n');
let id = 0;
beforeAll(async () => {
  id = await withStore({ dataDir: data.dir }, (db) =>
    saveContribution(db, {
      publication: 'global-eye',
      receivedAt: new Date('2026-03-01T09:30:00Z'),
      envelopeFrom: 'ann@example.org',
      fromAddress: 'ann@example.org',
      fromName: 'Ann',
      subject: 'Field report',
      text: 'From Accra.\n',
      raw,
      attachments: [
        { filename: '../../etc/passwd', contentType: 'text/plain', content: Buffer.from('notes') },
      ],
    }),
  );
});
afterAll(() => data.remove());
const run = (...args: string[]) =>
  runCommand(registerContributions, ['contributions', '--publication', 'global-eye', ...args], {
    BULLETIN_DATA_DIR: data.dir,
  });

describe('bulletin contributions', () => {
  it('lists them newest first (run as `bulletin`)', () => {
    expect(
      bulletin(['--data-dir', data.dir, 'contributions', '--publication', 'global-eye', 'list']).stdout,
    ).toBe(`${id}\t2026-03-01 09:30\tAnn <ann@example.org>\tField report  [1 attachment]\n`);
  });

  it('shows one', async () => {
    const { stdout } = await run('show', String(id));
    expect(stdout).toContain('Subject:  Field report');
    expect(stdout).toContain('Attached: ../../etc/passwd (text/plain, 5 bytes)');
    expect(stdout).toContain('From Accra.');
  });

  it('says which were handled in the admin, and by whom', async () => {
    await withStore({ dataDir: data.dir }, (db) =>
      markHandled(db, 'global-eye', id, { by: 'eda', now: new Date('2026-03-02T10:00:00Z') }),
    );
    expect((await run('list')).stdout).toBe(
      `${id}\t2026-03-01 09:30\tAnn <ann@example.org>\tField report  [1 attachment]  (handled by eda)\n`,
    );
  });

  it('exports the raw message and attachments, with safe file names', async () => {
    const out = join(data.dir, 'export');
    expect((await run('export', '--output', out)).stderr).toBe(`1 contribution written to ${out}\n`);
    expect(readdirSync(join(out, String(id))).sort()).toEqual(['1-passwd', 'message.eml']);
    expect(readFileSync(join(out, String(id), 'message.eml'))).toEqual(raw);
  });
});
