import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutgoingMail } from '../../src/mail/message.ts';
import { createMailTransport } from '../../src/mail/transport.ts';
import { tempDataDir } from '../support/data-dir.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';

const mail: OutgoingMail = {
  from: { name: 'The Global Eye', address: 'globaleye@example.org' },
  to: 'ann@example.org',
  replyTo: 'globaleye+confirm-s1-abc-aaaaaaaaaaaaaaaa@example.org',
  subject: 'Confirm your subscription',
  text: 'Reply to confirm.\n',
  html: '<p>Reply to confirm.</p>',
  headers: { 'Auto-Submitted': 'auto-replied' },
  returnPath: null,
};

describe('the mail transport', () => {
  const data = tempDataDir();
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await sink.stop();
    data.remove();
  });

  it('without SMTP_URL writes each message as an .eml file to <dataDir>/outbox/', async () => {
    const transport = createMailTransport({ dataDir: data.dir });
    await transport.send(mail);
    await transport.send({
      ...mail,
      to: 'bob@example.org',
      returnPath: 'globaleye+bounce-b1-x-y@example.org',
    });
    transport.close();
    const files = readdirSync(join(data.dir, 'outbox')).sort();
    expect(files).toHaveLength(2);
    expect(files.every((f) => f.endsWith('.eml'))).toBe(true);
    const all = files.map((f) => readFileSync(join(data.dir, 'outbox', f), 'utf8')).join('\n');
    expect(all).toContain('Return-Path: <>\r\n');
    expect(all).toContain('Return-Path: <globaleye+bounce-b1-x-y@example.org>');
    expect(all).toContain('Auto-Submitted: auto-replied');
    expect(all).toContain('Subject: Confirm your subscription');
  });

  it('with SMTP_URL sends over SMTP, with the null sender for automatic replies', async () => {
    const transport = createMailTransport({ dataDir: data.dir, smtpUrl: sink.url });
    await transport.send(mail);
    transport.close();
    const got = await sink.next();
    expect(got.mailFrom).toBe('');
    expect(got.to).toEqual(['ann@example.org']);
    expect(got.parsed.replyTo?.text).toBe(mail.replyTo);
    expect(got.parsed.headers.get('auto-submitted')).toBe('auto-replied');
  });
});
