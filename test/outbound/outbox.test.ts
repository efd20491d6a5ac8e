import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { composeMail } from '../../src/outbound/compose.ts';
import { openSender } from '../../src/outbound/open.ts';
import { outboxDir } from '../../src/outbound/outbox.ts';
import { tempDataDir } from '../support/data-dir.ts';
import { CONFIRMATION_REQUEST } from '../support/list-mail.ts';

/** A campaign message as the template writes it: its own Return-Path header, 8-bit text. */
const campaignMessage = Buffer.concat([
  Buffer.from(
    'From: The Global Eye <globaleye@example.org>\r\nTo: bob@example.org\r\nSubject: Issue 5\r\n' +
      'Return-Path: <globaleye+bounce-b1-x-y@example.org>\r\nMIME-Version: 1.0\r\n' +
      'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n',
  ),
  Buffer.from('Caf\u00e9 \u2014 Return-Path: in the body stays\r\n', 'utf8'),
]);

describe('the outbox (no SMTP_URL)', () => {
  const data = tempDataDir();
  afterAll(() => data.remove());

  it('holds every message, list mail and campaign alike, in one format: the envelope sender as Return-Path on top', async () => {
    const sender = openSender({ dataDir: data.dir }, { connections: 1, messagesPerConnection: 1 });
    const list = await composeMail(CONFIRMATION_REQUEST);
    expect(await sender.send(list.envelope, list.raw)).toEqual({ kind: 'sent' });
    expect(
      await sender.send(
        { from: 'globaleye+bounce-b1-x-y@example.org', to: 'bob@example.org' },
        campaignMessage,
      ),
    ).toEqual({ kind: 'sent' });
    await sender.close();

    const files = readdirSync(outboxDir(data.dir)).sort();
    // <ms>-<pid>-<seq>-<recipient>.eml, in the order sent; nothing half-written left behind.
    expect(files).toEqual([
      expect.stringMatching(new RegExp(`^\\d+-${process.pid}-1-ann@example\\.org\\.eml$`)),
      expect.stringMatching(new RegExp(`^\\d+-${process.pid}-2-bob@example\\.org\\.eml$`)),
    ]);
    const [ann, bob] = files.map((f) => readFileSync(`${outboxDir(data.dir)}/${f}`));
    const annText = ann?.toString() ?? '';
    expect(annText.startsWith('Return-Path: <>\r\n')).toBe(true);
    expect(annText).toContain('Auto-Submitted: auto-replied');
    expect(annText).toContain('Subject: Confirm your subscription');
    expect(annText.match(/^Return-Path:/gm)).toHaveLength(1);

    // The campaign's own header gives way to the envelope's; every other byte is as sent.
    const expected = Buffer.concat([
      Buffer.from('Return-Path: <globaleye+bounce-b1-x-y@example.org>\r\n'),
      Buffer.from(campaignMessage.toString('latin1').replace(/^Return-Path: [^\n]*\n/m, ''), 'latin1'),
    ]);
    expect(bob?.equals(expected)).toBe(true);
    expect(bob?.toString('utf8')).toContain('Caf\u00e9 \u2014 Return-Path: in the body stays');
  });
});
