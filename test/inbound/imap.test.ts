// IMAP mode against a real IMAP server (Dovecot): the same handler, fed from a mailbox.
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listContributions } from '../../src/inbound/contributions.ts';
import { createInboundHandler } from '../../src/inbound/handler.ts';
import { envelopeOf, type ImapSource, parseImapUrl, pollMailbox } from '../../src/inbound/imap.ts';
import { findSubscriber } from '../../src/subscribers/store.ts';
import { type DovecotServer, startDovecot } from '../support/dovecot.ts';
import { type ListFixture, listFixture, message } from '../support/list-fixture.ts';

let dovecot: DovecotServer;
let f: ListFixture;
let source: ImapSource;
let mailbox: ImapFlow;

beforeAll(async () => {
  [dovecot, f] = await Promise.all([startDovecot(), listFixture()]);
  source = parseImapUrl(`imap://${dovecot.user}:${dovecot.password}@127.0.0.1:${dovecot.port}/INBOX`);
  mailbox = new ImapFlow({
    host: '127.0.0.1',
    port: dovecot.port,
    secure: false,
    auth: { user: dovecot.user, pass: dovecot.password },
    logger: false,
  });
  await mailbox.connect();
});
afterAll(async () => {
  await mailbox?.logout();
  await dovecot?.stop();
  await f?.close();
});

const deliver = (headers: Record<string, string>, body = '') =>
  mailbox.append(
    'INBOX',
    message({ 'Return-Path': '<ann@example.org>', From: 'Ann <ann@example.org>', ...headers }, body),
  );
const count = async (box: string) => {
  const status = await mailbox.status(box, { messages: true });
  return status ? status.messages : undefined;
};

describe('IMAP mode', () => {
  it('handles subscribe and the confirming reply from the mailbox, moving each to Processed', async () => {
    const handler = createInboundHandler(f);
    await deliver({
      'Delivered-To': 'globaleye@example.org',
      To: 'globaleye@example.org',
      Subject: 'subscribe',
    });
    expect(await pollMailbox(source, handler, { log: f.log })).toBe(1);
    expect(await findSubscriber(f.db, 'global-eye', 'ann@example.org')).toMatchObject({ status: 'pending' });
    const confirm = f.sent.at(-1)?.replyTo as string;
    expect(confirm).toMatch(/^globaleye\+confirm-/);

    await deliver({ 'Delivered-To': confirm, To: confirm, Subject: 'Re: Confirm' });
    await pollMailbox(source, handler, { log: f.log });
    expect(await findSubscriber(f.db, 'global-eye', 'ann@example.org')).toMatchObject({
      status: 'confirmed',
    });
    expect(await count('INBOX')).toBe(0);
    expect(await count('Processed')).toBe(2);
  });

  it('stores contributions, and leaves a message it could not handle for the next poll', async () => {
    let failing = true;
    const real = createInboundHandler(f);
    const handler = {
      ...real,
      handle: (m: Parameters<typeof real.handle>[0]) =>
        failing ? Promise.reject(new Error('db down')) : real.handle(m),
    };
    await deliver(
      { To: 'The Editors <globaleye@example.org>', Subject: 'Letter from Lima' },
      'Dear editors,',
    );
    expect(await pollMailbox(source, handler, { log: f.log })).toBe(0);
    expect(await count('INBOX')).toBe(1);
    failing = false;
    expect(await pollMailbox(source, handler, { log: f.log })).toBe(1);
    expect((await listContributions(f.db, 'global-eye', 1))[0]).toMatchObject({
      subject: 'Letter from Lima',
    });
  });
});

describe('envelopeOf', () => {
  const accepts = (a: string) => a.endsWith('@example.org') && a.startsWith('globaleye');
  it('takes the envelope sender from Return-Path (<> is the null sender) and our recipients from the headers', () => {
    const raw = message({
      'Return-Path': '<>',
      'Delivered-To': 'GlobalEye@example.org',
      To: 'x@example.org, "Eye" <globaleye-request@example.org>',
    });
    expect(envelopeOf(raw, accepts)).toEqual({
      envelopeFrom: null,
      recipients: ['globaleye@example.org', 'globaleye-request@example.org'],
    });
  });

  it("falls back to From, and to the mailbox's list for Bcc", () => {
    expect(
      envelopeOf(
        message({ From: 'Bo <bo@example.org>', To: 'x@example.net' }),
        accepts,
        'globaleye@example.org',
      ),
    ).toEqual({
      envelopeFrom: 'bo@example.org',
      recipients: ['globaleye@example.org'],
    });
  });
});
