// The SMTP server's own rules, over real SMTP, with a stand-in handler.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundHandler, InboundMail } from '../../src/inbound/handler.ts';
import { clientNetwork, createListSmtpServer, type ListSmtpServer } from '../../src/inbound/smtp.ts';
import { tempDataDir } from '../support/data-dir.ts';

const received: InboundMail[] = [];
let failNext = false;
const handler: InboundHandler = {
  accepts: (address) => address.toLowerCase().startsWith('list') && address.endsWith('@example.org'),
  async handle(mail) {
    if (failNext) {
      failNext = false;
      throw new Error('database down');
    }
    received.push(mail);
  },
};

let server: ListSmtpServer;
let port: number;
beforeAll(async () => {
  server = createListSmtpServer(handler, {
    limits: { maxMessageBytes: 50_000, perIpPerHour: 1000, perSenderPerHour: 3, maxRecipients: 2 },
    log: pino({ level: 'silent' }),
  });
  port = await server.listen(0, '127.0.0.1');
});
afterAll(() => server.close());

const send = (mail: SendMailOptions) =>
  nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true }).sendMail(mail);

describe('the list SMTP server', () => {
  it('accepts mail for list addresses and hands over envelope and raw message', async () => {
    await send({ from: 'a@example.net', to: 'list@example.org', subject: 'hi', text: 'Hello' });
    expect(received.at(-1)).toMatchObject({
      envelopeFrom: 'a@example.net',
      recipients: ['list@example.org'],
      remoteAddress: '127.0.0.1',
    });
    expect(received.at(-1)?.raw.toString()).toContain('Subject: hi');
  });

  it('rejects every other recipient at RCPT with 550: no open relay', async () => {
    await expect(
      send({ from: 'a@example.net', to: 'victim@elsewhere.net', text: 'relay me' }),
    ).rejects.toMatchObject({
      responseCode: 550,
    });
  });

  it('refuses messages over the size limit with 552', async () => {
    await expect(
      send({ from: 'b@example.net', to: 'list@example.org', text: 'x'.repeat(60_000) }),
    ).rejects.toMatchObject({
      responseCode: 552,
    });
  });

  it('limits recipients per message (the rest get 452 and are retried by the sender)', async () => {
    const info = await send({
      from: 'c@example.net',
      to: ['list1@example.org', 'list2@example.org', 'list3@example.org'],
      text: 'x',
    });
    expect(info.rejected).toEqual(['list3@example.org']);
    expect(info.rejectedErrors?.[0]).toMatchObject({ responseCode: 452 });
  });

  it('rate-limits a sender with a temporary 450, so legitimate mail is retried later', async () => {
    for (let i = 0; i < 3; i++)
      await send({ from: 'flood@example.net', to: 'list@example.org', text: `${i}` });
    await expect(
      send({ from: 'flood@example.net', to: 'list@example.org', text: 'more' }),
    ).rejects.toMatchObject({
      responseCode: 450,
    });
  });

  it('answers 451 when the handler could not store the message, so the sender retries', async () => {
    failNext = true;
    await expect(send({ from: 'd@example.net', to: 'list@example.org', text: 'x' })).rejects.toMatchObject({
      responseCode: 451,
    });
    await send({ from: 'd@example.net', to: 'list@example.org', text: 'again' });
    expect(received.at(-1)?.raw.toString()).toContain('again');
  });

  it('passes the null sender of bounces as null', async () => {
    await send({
      envelope: { from: false as unknown as string, to: 'list@example.org' },
      from: 'mailer-daemon@example.net',
      text: 'bounce',
    });
    expect(received.at(-1)?.envelopeFrom).toBeNull();
  });
});

describe('clientNetwork: where a client connects from, as the limits count it', () => {
  it('is the IPv4 address, also when mapped into IPv6, and the /64 of an IPv6 address however written', () => {
    expect(clientNetwork('192.0.2.1')).toBe('192.0.2.1');
    expect(clientNetwork('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(clientNetwork('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(clientNetwork('2001:0db8:0001:0002::7')).toBe('2001:db8:1:2::/64');
    expect(clientNetwork('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientNetwork('::1')).toBe('0:0:0:0::/64');
  });
});

describe('STARTTLS, when given a certificate (running as the MX)', () => {
  it('offers STARTTLS and receives over TLS; without a certificate it does not offer it', async () => {
    const dir = tempDataDir();
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-keyout',
        join(dir.dir, 'key.pem'),
        '-out',
        join(dir.dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const tlsServer = createListSmtpServer(handler, {
      tls: { cert: readFileSync(join(dir.dir, 'cert.pem')), key: readFileSync(join(dir.dir, 'key.pem')) },
      log: pino({ level: 'silent' }),
    });
    const tlsPort = await tlsServer.listen(0, '127.0.0.1');
    const over = (p: number) =>
      nodemailer
        .createTransport({
          host: '127.0.0.1',
          port: p,
          secure: false,
          requireTLS: true,
          tls: { rejectUnauthorized: false },
        })
        .sendMail({ from: 'e@example.net', to: 'list@example.org', text: 'secret' });
    try {
      await over(tlsPort);
      expect(received.at(-1)?.raw.toString()).toContain('secret');
      await expect(over(port)).rejects.toThrow(/STARTTLS/);
    } finally {
      await tlsServer.close();
      dir.remove();
    }
  });
});
