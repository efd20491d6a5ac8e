import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutgoingMail } from '../../src/list/mail.ts';
import { composeMail } from '../../src/outbound/compose.ts';
import { openSender } from '../../src/outbound/open.ts';
import { tempDataDir } from '../support/data-dir.ts';
import { CONFIRMATION_REQUEST } from '../support/list-mail.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';

const mail: OutgoingMail = { ...CONFIRMATION_REQUEST, inReplyTo: '<question@example.net>' };

describe('list mail, composed and sent like any other message', () => {
  const data = tempDataDir();
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await sink.stop();
    data.remove();
  });

  it('gets a Message-ID of the list domain and keeps its headers', async () => {
    const { envelope, raw } = await composeMail({
      ...mail,
      returnPath: 'globaleye+bounce-b1-x-y@example.org',
    });
    expect(envelope).toEqual({ from: 'globaleye+bounce-b1-x-y@example.org', to: 'ann@example.org' });
    const text = raw.toString();
    expect(text).toMatch(/^Message-ID: <[0-9a-f-]{36}@example\.org>$/m);
    expect(text).toMatch(/^In-Reply-To: <question@example\.net>$/m);
    expect(text).toMatch(/^Auto-Submitted: auto-replied$/m);
  });

  it('with SMTP_URL goes over SMTP, with the null sender for automatic replies', async () => {
    const sender = openSender(
      { dataDir: data.dir, smtpUrl: sink.url },
      { connections: 1, messagesPerConnection: 10 },
    );
    try {
      const { envelope, raw } = await composeMail(mail);
      expect(await sender.send(envelope, raw)).toEqual({ kind: 'sent' });
    } finally {
      await sender.close();
    }
    const got = await sink.next();
    expect(got.mailFrom).toBe('');
    expect(got.to).toEqual(['ann@example.org']);
    expect(got.parsed.replyTo?.text).toBe(mail.replyTo);
    expect(got.parsed.headers.get('auto-submitted')).toBe('auto-replied');
    expect(got.parsed.subject).toBe('Confirm your subscription');
  });
});
