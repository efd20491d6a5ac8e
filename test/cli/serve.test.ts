// `bulletin serve` end to end, over real SMTP and HTTP: mail is sent to the running server with
// nodemailer and swaks, outgoing list mail goes through the queue (private redis-server) to an SMTP
// sink, and the store is the embedded one in a temp data directory.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListService } from '../../src/cli/serve.ts';
import { contributionFiles, getContribution, listContributions } from '../../src/inbound/contributions.ts';
import { addConfirmed, findSubscriber, requestSubscription } from '../../src/subscribers/store.ts';
import { tempDataDir } from '../support/data-dir.ts';
import { serveInProcess } from '../support/serve.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';

const data = tempDataDir();
let sink: SmtpSink;
let service: ListService;

beforeAll(async () => {
  sink = await startSmtpSink();
  ({ service } = await serveInProcess({
    BULLETIN_DATA_DIR: data.dir,
    SMTP_URL: sink.url,
    PUBLIC_URL: 'https://news.example.org',
  }));
});
afterAll(async () => {
  await service?.stop();
  await sink?.stop();
  data.remove();
});

const client = () =>
  nodemailer.createTransport({ host: '127.0.0.1', port: service.smtpPort, secure: false, ignoreTLS: true });
const send = (mail: SendMailOptions) => client().sendMail(mail);
const swaks = (args: string[]) =>
  promisify(execFile)('swaks', ['--server', `127.0.0.1:${service.smtpPort}`, '--silent', '2', ...args]);
const status = async (email: string) => (await findSubscriber(service.db, 'global-eye', email))?.status;
const http = (path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${service.httpPort}${path}`, init);

describe('bulletin serve over SMTP', () => {
  it('subscribe → confirmation email → reply → confirmed → welcome (nodemailer)', async () => {
    await send({
      from: 'Ann Example <ann@example.org>',
      to: 'globaleye@example.org',
      subject: 'subscribe',
      text: '',
    });
    const confirmation = await sink.next((m) => m.to.includes('ann@example.org'));
    expect(confirmation.mailFrom).toBe(''); // the null sender: nothing will auto-reply to it
    expect(confirmation.parsed.subject).toBe(
      'Confirm your subscription to The Global Eye on Human Trafficking',
    );
    expect(await status('ann@example.org')).toBe('pending');

    await send({
      from: 'ann@example.org',
      to: confirmation.parsed.replyTo?.text,
      subject: `Re: ${confirmation.parsed.subject}`,
      inReplyTo: confirmation.parsed.messageId,
      text: 'Yes please.',
    });
    const welcome = await sink.next((m) => m.to.includes('ann@example.org'));
    expect(welcome.parsed.subject).toBe('Welcome to The Global Eye on Human Trafficking');
    expect(await findSubscriber(service.db, 'global-eye', 'ann@example.org')).toMatchObject({
      status: 'confirmed',
      name: 'Ann Example',
      consentMethod: 'email-reply',
    });
  });

  it('unsubscribe → confirmation → reply → unsubscribed → goodbye (swaks)', async () => {
    await addConfirmed(service.db, {
      publication: 'global-eye',
      email: 'bo@example.org',
      evidence: 'test',
      now: new Date(),
    });
    await swaks([
      '--from',
      'bo@example.org',
      '--to',
      'globaleye-unsubscribe@example.org',
      '--h-Subject',
      'please',
      '--body',
      'bye',
    ]);
    const ask = await sink.next((m) => m.to.includes('bo@example.org'));
    expect(ask.parsed.subject).toBe('Confirm that you want to leave The Global Eye on Human Trafficking');
    await swaks([
      '--from',
      'bo@example.org',
      '--to',
      ask.parsed.replyTo?.text as string,
      '--h-Subject',
      'Re: confirm',
      '--body',
      'yes',
    ]);
    const goodbye = await sink.next((m) => m.to.includes('bo@example.org'));
    expect(goodbye.parsed.subject).toBe('You will not receive The Global Eye on Human Trafficking any more');
    expect(await status('bo@example.org')).toBe('unsubscribed');
  });

  it('a contribution is stored with its attachment and acknowledged', async () => {
    await send({
      from: 'Cy <cy@example.org>',
      to: 'globaleye@example.org',
      subject: 'Story from Accra',
      text: 'Please consider this for the next issue.',
      attachments: [
        { filename: 'photo.jpg', content: Buffer.from('not really a jpeg'), contentType: 'image/jpeg' },
      ],
    });
    const ack = await sink.next((m) => m.to.includes('cy@example.org'));
    expect(ack.parsed.subject).toBe('Received: Story from Accra');
    const [latest] = await listContributions(service.db, 'global-eye', 1);
    expect(latest).toMatchObject({
      fromAddress: 'cy@example.org',
      subject: 'Story from Accra',
      attachments: 1,
    });
  });

  it('rejects recipients that are not list addresses with 550', async () => {
    await expect(
      send({ from: 'x@example.org', to: 'someone@example.org', text: 'relay?' }),
    ).rejects.toMatchObject({
      responseCode: 550,
    });
  });

  it('survives hostile mail, storing what it accepted with 250', async () => {
    const before = (await listContributions(service.db, 'global-eye', 1))[0]?.id ?? 0;
    const raws = [
      Buffer.from('From: nul@example.org\r\nSubject: NUL\0bytes\r\n\r\nbody\0with\0NULs\r\n'),
      Buffer.from(
        `From: big@example.org\r\nSubject: huge header\r\nX-Huge: ${'a'.repeat(200_000)}\r\n\r\nbody\r\n`,
      ),
      Buffer.concat([
        Buffer.from('From: raw@example.org\r\nSubject: '),
        Buffer.from([0xff, 0xfe, 0x80]),
        Buffer.from('\r\n\r\n'),
        Buffer.from([0xc3, 0x28, 0xe2]),
      ]),
      Buffer.from(
        'Subject: no from\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\n--zz\r\nContent-Type: text/plain\r\n\r\ncut off',
      ),
    ];
    for (const raw of raws) {
      await send({ envelope: { from: 'hostile@example.net', to: 'globaleye@example.org' }, raw });
    }
    const stored = await listContributions(service.db, 'global-eye', 10);
    expect(stored.filter((c) => c.id > before)).toHaveLength(raws.length);
    const nulId = stored.find((c) => c.fromAddress === 'nul@example.org')?.id as number;
    expect((await getContribution(service.db, 'global-eye', nulId))?.text).toBe('bodywithNULs\n');
    // The raw message is kept byte for byte, NULs included.
    expect((await contributionFiles(service.db, 'global-eye', nulId))?.raw.includes(raws[0] as Buffer)).toBe(
      true,
    );
    // …and it still answers.
    await send({ from: 'after@example.org', to: 'globaleye-request@example.org', subject: 'help', text: '' });
    expect((await sink.next((m) => m.to.includes('after@example.org'))).parsed.subject).toBe(
      'How to use The Global Eye on Human Trafficking',
    );
  });
});

describe('bulletin serve over HTTP (the rules: test/web/list-pages.test.ts)', () => {
  const subscriber = (email: string) =>
    requestSubscription(service.db, { publication: 'global-eye', email, source: 'web', now: new Date() });

  it('a confirm link shows a button; only the POST confirms', async () => {
    const s = await subscriber('dee@example.org');
    const token = service.tokens.sign('subscribe', s);
    const page = await http(`/confirm/${token}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`<form method="post" action="/confirm/${token}">`);
    expect(await status('dee@example.org')).toBe('pending');
    const done = await http(`/confirm/${token}`, { method: 'POST' });
    expect(done.status).toBe(200);
    expect(await findSubscriber(service.db, 'global-eye', 'dee@example.org')).toMatchObject({
      status: 'confirmed',
      consentMethod: 'web',
      consentEvidence: 'confirm page from 127.0.0.1',
    });
    expect((await sink.next((m) => m.to.includes('dee@example.org'))).parsed.subject).toBe(
      'Welcome to The Global Eye on Human Trafficking',
    );
  });
});
