import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifySendError, smtpPoolSender } from '../../src/outbound/smtp-pool.ts';
import { freePort } from '../support/ports.ts';
import { type FaultySink, startFaultySink } from '../support/smtp-faults.ts';

const message = (to: string) =>
  Buffer.from(
    `From: list@example.org\r\nTo: ${to}\r\nSubject: hello\r\nMessage-ID: <m@example.org>\r\n\r\nHello.\r\n`,
  );

let sink: FaultySink;
beforeAll(async () => {
  sink = await startFaultySink({ rejectRecipients: new Set(['gone@example.net']) });
});
afterAll(() => sink.close());

describe('SMTP pool sender', () => {
  it('says what happened in delivery terms: sent, deferred (4xx), rejected (5xx at RCPT)', async () => {
    const sender = smtpPoolSender({ url: sink.url, connections: 2, messagesPerConnection: 10 });
    try {
      const envelope = (to: string) => ({ from: 'list+bounce-x@example.org', to });
      expect(await sender.send(envelope('a@example.net'), message('a@example.net'))).toEqual({
        kind: 'sent',
      });
      expect(await sender.send(envelope('gone@example.net'), message('gone@example.net'))).toMatchObject({
        kind: 'rejected',
        stage: 'recipient',
        code: 550,
      });
      sink.faults.deferAll = true;
      expect(await sender.send(envelope('b@example.net'), message('b@example.net'))).toMatchObject({
        kind: 'deferred',
        code: 451,
      });
      sink.faults.deferAll = false;
      expect(sink.received.map((m) => [m.mailFrom, m.to])).toEqual([
        ['list+bounce-x@example.org', 'a@example.net'],
      ]);
    } finally {
      await sender.close();
    }
  });

  it('treats a server that does not answer as temporary', async () => {
    const sender = smtpPoolSender({
      url: `smtp://127.0.0.1:${await freePort()}`,
      connections: 1,
      messagesPerConnection: 1,
    });
    try {
      expect(
        await sender.send({ from: 'a@example.org', to: 'b@example.net' }, message('b@example.net')),
      ).toMatchObject({
        kind: 'deferred',
      });
    } finally {
      await sender.close();
    }
  });

  it('signs with DKIM when a key is configured', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const sender = smtpPoolSender({
      url: sink.url,
      connections: 1,
      messagesPerConnection: 10,
      dkim: {
        domainName: 'example.org',
        keySelector: 'bulletin',
        privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      },
    });
    try {
      await sender.send(
        { from: 'list@example.org', to: 'signed@example.net' },
        message('signed@example.net'),
      );
      const raw = sink.received.find((m) => m.to === 'signed@example.net')?.raw.toString() ?? '';
      expect(raw).toMatch(
        /^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed\/relaxed; d=example.org;[\s\S]*s=bulletin;/m,
      );
    } finally {
      await sender.close();
    }
  });
});

describe('classifySendError', () => {
  it('keeps a refused login temporary: it is our configuration, not the recipient', () => {
    expect(
      classifySendError({ code: 'EAUTH', responseCode: 535, response: '535 auth failed' }),
    ).toMatchObject({
      kind: 'deferred',
      code: 535,
    });
    expect(classifySendError({ code: 'EMESSAGE', responseCode: 554, response: '554 spam' })).toMatchObject({
      kind: 'rejected',
      stage: 'message',
    });
  });
});
