import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getContribution, listContributions } from '../../src/inbound/contributions.ts';
import { createInboundHandler, type InboundHandler } from '../../src/inbound/handler.ts';
import { findSubscriber, requestSubscription } from '../../src/subscribers/store.ts';
import { type ListFixture, listFixture, message } from '../support/list-fixture.ts';

const LIST = 'globaleye@example.org';
let f: ListFixture;
let handler: InboundHandler;

/** Delivers a message from `sender` (envelope and From) to `to`. */
function deliver(
  to: string,
  headers: Record<string, string>,
  body?: string,
  envelopeFrom: string | null = 'ann@example.org',
) {
  return handler.handle({
    raw: message({ From: 'Ann <ann@example.org>', To: to, ...headers }, body),
    envelopeFrom,
    recipients: [to],
    remoteAddress: '192.0.2.1',
  });
}

const sentTo = (address: string) => f.sent.filter((m) => m.to === address);
const lastSent = () => f.sent.at(-1);
const confirmToken = () => /\+confirm-([0-9a-z-]+)@/.exec(lastSent()?.replyTo ?? '')?.[1] as string;

beforeAll(async () => {
  f = await listFixture();
  handler = createInboundHandler(f);
});
afterAll(() => f.close());
beforeEach(() => {
  f.sent.length = 0;
});

describe('the list address grammar in the handler', () => {
  it('accepts only our addresses', () => {
    expect(handler.accepts('globaleye@example.org')).toBe(true);
    expect(handler.accepts('GlobalEye-Request@Example.ORG')).toBe(true);
    expect(handler.accepts('trafficking+confirm-s1-a-bbbbbbbbbbbbbbbb@example.org')).toBe(true);
    expect(handler.accepts('someone@example.org')).toBe(false);
    expect(handler.accepts('globaleye@elsewhere.org')).toBe(false);
  });
});

describe('subscribing by email (double opt-in)', () => {
  it('"subscribe" as the subject sends a confirmation to the From address, and changes nothing else', async () => {
    await deliver(LIST, { From: 'Bea <bea@example.org>', Subject: 'subscribe' }, '', 'bea@example.org');
    expect(await findSubscriber(f.db, 'global-eye', 'bea@example.org')).toMatchObject({
      status: 'pending',
      name: 'Bea',
    });
    const mail = lastSent();
    expect(mail).toMatchObject({
      to: 'bea@example.org',
      subject: 'Confirm your subscription to The Global Eye on Human Trafficking',
      returnPath: null,
      headers: { 'Auto-Submitted': 'auto-replied', 'X-Loop': LIST, 'List-Id': '<globaleye.example.org>' },
    });
    expect(mail?.replyTo).toMatch(/^globaleye\+confirm-s[0-9a-z]+-[0-9a-z]+-[a-z2-7]{16}@example\.org$/);
    expect(mail?.text).toContain(`https://news.example.org/confirm/${confirmToken()}`);
    expect(mail?.html).toContain(`https://news.example.org/confirm/${confirmToken()}`);
  });

  it('replying to the confirmation confirms, records the consent and sends the welcome', async () => {
    await deliver('globaleye-subscribe@example.org', { From: 'cy@example.org' }, '', 'cy@example.org');
    const token = confirmToken();
    await deliver(
      `globaleye+confirm-${token}@example.org`,
      { From: 'cy@example.org', Subject: 'Re: Confirm', 'Message-ID': '<yes@cy>' },
      '',
      'cy@example.org',
    );
    const s = await findSubscriber(f.db, 'global-eye', 'cy@example.org');
    expect(s).toMatchObject({ status: 'confirmed', consentMethod: 'email-reply' });
    expect(s?.consentEvidence).toBe('reply <yes@cy> from 192.0.2.1');
    const welcome = lastSent();
    expect(welcome?.subject).toBe('Welcome to The Global Eye on Human Trafficking');
    expect(welcome?.text).toContain('https://news.example.org/global-eye/005/');
    expect(welcome?.text).toContain('https://news.example.org/global-eye/005/global-eye-005.pdf');
    expect(welcome?.text).toMatch(/https:\/\/news\.example\.org\/unsubscribe\/u[0-9a-z-]+/);
  });

  it('-join@ and -request@ with "subscribe" in the body work too', async () => {
    await deliver('globaleye-join@example.org', { From: 'dee@example.org' }, '', 'dee@example.org');
    await deliver(
      'globaleye-request@example.org',
      { From: 'eli@example.org', Subject: '' },
      '\r\nsubscribe\r\n',
      'eli@example.org',
    );
    expect(f.sent.map((m) => m.to)).toEqual(['dee@example.org', 'eli@example.org']);
  });

  it('a forged request changes nothing: only the address owner is asked, and a confirmed subscriber stays as is', async () => {
    await deliver(LIST, { From: 'victim@example.org', Subject: 'subscribe' }, '', 'attacker@example.net');
    expect(sentTo('attacker@example.net')).toEqual([]);
    expect(sentTo('victim@example.org')).toHaveLength(1);
    expect(await findSubscriber(f.db, 'global-eye', 'victim@example.org')).toMatchObject({
      status: 'pending',
    });
  });

  it('a confirmation token acts only on its own list', async () => {
    await deliver(LIST, { From: 'fay@example.org', Subject: 'subscribe' }, '', 'fay@example.org');
    const token = confirmToken();
    await deliver(
      `trafficking+confirm-${token}@example.org`,
      { From: 'fay@example.org' },
      '',
      'fay@example.org',
    );
    expect(await findSubscriber(f.db, 'global-eye', 'fay@example.org')).toMatchObject({ status: 'pending' });
    expect(lastSent()?.subject).toBe('That confirmation has expired or is not valid. Please start again.');
  });

  it('an autoresponder answering the confirmation confirms nothing', async () => {
    await deliver(LIST, { From: 'gus@example.org', Subject: 'subscribe' }, '', 'gus@example.org');
    const token = confirmToken();
    await deliver(
      `globaleye+confirm-${token}@example.org`,
      { From: 'gus@example.org', 'Auto-Submitted': 'auto-replied', Subject: 'Out of office' },
      '',
      'gus@example.org',
    );
    expect(await findSubscriber(f.db, 'global-eye', 'gus@example.org')).toMatchObject({ status: 'pending' });
  });
});

describe('unsubscribing by email', () => {
  it('asks the subscriber to confirm, then unsubscribes and confirms the removal', async () => {
    const s = await requestSubscription(f.db, {
      publication: 'global-eye',
      email: 'hal@example.org',
      source: 'import',
      now: new Date(),
    });
    await f.actions.confirm(
      { list: f.list('global-eye'), subscriber: s, purpose: 'subscribe' },
      { method: 'cli', evidence: 'test' },
    );
    f.sent.length = 0;
    await deliver('globaleye-leave@example.org', { From: 'hal@example.org' }, '', 'hal@example.org');
    expect(lastSent()?.subject).toBe('Confirm that you want to leave The Global Eye on Human Trafficking');
    expect(await findSubscriber(f.db, 'global-eye', 'hal@example.org')).toMatchObject({
      status: 'confirmed',
    });
    await deliver(
      `globaleye+confirm-${confirmToken()}@example.org`,
      { From: 'hal@example.org' },
      '',
      'hal@example.org',
    );
    expect(await findSubscriber(f.db, 'global-eye', 'hal@example.org')).toMatchObject({
      status: 'unsubscribed',
    });
    expect(lastSent()?.subject).toBe('You will not receive The Global Eye on Human Trafficking any more');
  });

  it('an address that is not subscribed gets the same kind of answer, and no row is created', async () => {
    await deliver(LIST, { From: 'ivy@example.org', Subject: 'unsubscribe' }, '', 'ivy@example.org');
    expect(lastSent()).toMatchObject({
      to: 'ivy@example.org',
      subject: 'You will not receive The Global Eye on Human Trafficking any more',
    });
    expect(await findSubscriber(f.db, 'global-eye', 'ivy@example.org')).toBeUndefined();
  });
});

describe('help', () => {
  it('answers the envelope sender with the command table', async () => {
    await deliver(
      'globaleye-request@example.org',
      { From: 'Jo <jo@example.org>', Subject: 'help' },
      '',
      'jo+replies@mail.example.net',
    );
    const mail = lastSent();
    expect(mail?.to).toBe('jo+replies@mail.example.net');
    expect(mail?.text).toContain('globaleye-subscribe@example.org');
    expect(mail?.text).toContain('globaleye-unsubscribe@example.org');
    expect(mail?.text).toContain('globaleye-request@example.org');
  });
});

describe('contributions', () => {
  it('are stored raw and parsed, with attachments, and acknowledged to the sender', async () => {
    const body = [
      'This is a multi-part message.',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'A report from the field.',
      '--b1',
      'Content-Type: application/pdf; name="report.pdf"',
      'Content-Disposition: attachment; filename="report.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('%PDF-1.4 fake').toString('base64'),
      '--b1--',
      '',
    ].join('\r\n');
    await deliver(
      LIST,
      {
        From: 'Kim <kim@example.org>',
        Subject: 'Field report',
        'MIME-Version': '1.0',
        'Content-Type': 'multipart/mixed; boundary="b1"',
      },
      body,
      'kim@example.org',
    );
    const [latest] = await listContributions(f.db, 'global-eye', 1);
    const c = await getContribution(f.db, 'global-eye', latest?.id as number);
    expect(c).toMatchObject({
      fromAddress: 'kim@example.org',
      fromName: 'Kim',
      subject: 'Field report',
      attachments: 1,
    });
    expect(c?.text).toContain('A report from the field.');
    expect(c?.attachmentList).toEqual([
      expect.objectContaining({ filename: 'report.pdf', contentType: 'application/pdf', size: 13 }),
    ]);
    expect(lastSent()).toMatchObject({ to: 'kim@example.org', subject: 'Received: Field report' });
  });
});

describe('loop prevention (RFC 3834)', () => {
  it.each([
    ['Auto-Submitted: auto-generated', { 'Auto-Submitted': 'auto-generated' }, 'mia@example.org'],
    ['Precedence: bulk', { Precedence: 'bulk' }, 'mia@example.org'],
    ['Precedence: list', { Precedence: 'list' }, 'mia@example.org'],
    ['a List-Id header', { 'List-Id': '<other.lists.example.net>' }, 'mia@example.org'],
    ['our own X-Loop', { 'X-Loop': LIST }, 'mia@example.org'],
    ['a mailer-daemon sender', {}, 'MAILER-DAEMON@mx.example.org'],
    ['the null sender', {}, null],
    ['one of our own addresses', { From: 'globaleye-request@example.org' }, 'globaleye-request@example.org'],
  ])('never answers mail with %s', async (_, headers, envelopeFrom) => {
    await deliver(
      'globaleye-request@example.org',
      { From: 'mia@example.org', Subject: 'help', ...headers },
      '',
      envelopeFrom,
    );
    await deliver(LIST, { From: 'mia@example.org', Subject: 'subscribe', ...headers }, '', envelopeFrom);
    await deliver(
      LIST,
      { From: 'mia@example.org', Subject: 'A contribution', ...headers },
      'Text.',
      envelopeFrom,
    );
    expect(f.sent).toEqual([]);
  });

  it('keeps a contribution sent through another list, without acknowledging it', async () => {
    await deliver(
      LIST,
      {
        From: 'ned@example.org',
        Subject: 'Via our partners',
        'List-Id': '<partners.example.net>',
        Precedence: 'list',
      },
      'News.',
      'partners-bounces@example.net',
    );
    expect((await listContributions(f.db, 'global-eye', 1))[0]?.subject).toBe('Via our partners');
    expect(f.sent).toEqual([]);
  });

  it('keeps automatic replies (vacation notices, bounces) held apart from contributions, unanswered', async () => {
    await deliver(
      LIST,
      { From: 'ole@example.org', Subject: 'Out of office', 'Auto-Submitted': 'auto-replied' },
      'Away.',
      'ole@example.org',
    );
    await deliver(LIST, { From: 'MAILER-DAEMON@mx.example.org', Subject: 'Undeliverable' }, 'Failed.', null);
    const [bounce, away] = await listContributions(f.db, 'global-eye', 2);
    expect(away).toMatchObject({ subject: 'Out of office', heldReason: 'automatic reply' });
    expect(bounce).toMatchObject({ subject: 'Undeliverable', heldReason: 'automatic reply' });
    expect(f.sent).toEqual([]);
  });
});

describe('bounces at the VERP address', () => {
  const dsn = (action: string, status: string) =>
    [
      '--dsn',
      'Content-Type: text/plain',
      '',
      'Delivery failed.',
      '--dsn',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example.org',
      '',
      'Final-Recipient: rfc822; pat@example.org',
      `Action: ${action}`,
      `Status: ${status}`,
      'Diagnostic-Code: smtp; 550 5.1.1 no such user',
      '',
      '--dsn--',
      '',
    ].join('\r\n');
  const bounce = (token: string, action: string, status: string) =>
    deliver(
      `globaleye+bounce-${token}@example.org`,
      {
        From: 'MAILER-DAEMON@mx.example.org',
        Subject: 'Undelivered',
        'MIME-Version': '1.0',
        'Content-Type': 'multipart/report; report-type=delivery-status; boundary="dsn"',
      },
      dsn(action, status),
      null,
    );

  it('a hard bounce (5.x.x failed) marks the subscriber bounced, and nobody is answered', async () => {
    const s = await requestSubscription(f.db, {
      publication: 'global-eye',
      email: 'pat@example.org',
      source: 'import',
      now: new Date(),
    });
    await bounce(f.tokens.sign('bounce', s), 'failed', '5.1.1');
    expect(await findSubscriber(f.db, 'global-eye', 'pat@example.org')).toMatchObject({ status: 'bounced' });
    expect(f.sent).toEqual([]);
  });

  it('soft bounces (4.x.x, delayed) add to the score until the threshold', async () => {
    const s = await requestSubscription(f.db, {
      publication: 'global-eye',
      email: 'quin@example.org',
      source: 'import',
      now: new Date(),
    });
    const token = f.tokens.sign('bounce', s);
    await bounce(token, 'failed', '4.2.2');
    await bounce(token, 'delayed', '4.4.1');
    expect(await findSubscriber(f.db, 'global-eye', 'quin@example.org')).toMatchObject({
      status: 'pending',
      bounceScore: 2,
    });
    for (let i = 0; i < 3; i++) await bounce(token, 'failed', '4.2.2');
    expect(await findSubscriber(f.db, 'global-eye', 'quin@example.org')).toMatchObject({ status: 'bounced' });
  });

  it('a spam complaint (ARF feedback report) marks the subscriber complained', async () => {
    const s = await requestSubscription(f.db, {
      publication: 'global-eye',
      email: 'rex@example.org',
      source: 'import',
      now: new Date(),
    });
    const report = [
      '--arf',
      'Content-Type: text/plain',
      '',
      'A complaint.',
      '--arf',
      'Content-Type: message/feedback-report',
      '',
      'Feedback-Type: abuse',
      'Version: 1',
      '',
      '--arf--',
      '',
    ].join('\r\n');
    await deliver(
      `globaleye+bounce-${f.tokens.sign('bounce', s)}@example.org`,
      {
        From: 'fbl@provider.example',
        'MIME-Version': '1.0',
        'Content-Type': 'multipart/report; report-type=feedback-report; boundary="arf"',
      },
      report,
      'fbl@provider.example',
    );
    expect(await findSubscriber(f.db, 'global-eye', 'rex@example.org')).toMatchObject({
      status: 'complained',
    });
    expect(f.sent).toEqual([]);
  });

  it('a bounce with a token for someone else, or not a bounce token, changes nothing', async () => {
    const s = await requestSubscription(f.db, {
      publication: 'global-eye',
      email: 'ray@example.org',
      source: 'import',
      now: new Date(),
    });
    await bounce(f.tokens.sign('unsubscribe', s), 'failed', '5.1.1');
    await bounce(f.tokens.sign('bounce', { ...s, email: 'other@example.org' }), 'failed', '5.1.1');
    expect(await findSubscriber(f.db, 'global-eye', 'ray@example.org')).toMatchObject({
      status: 'pending',
      bounceScore: 0,
    });
  });
});

describe('hostile and broken mail', () => {
  const newest = async () =>
    getContribution(f.db, 'global-eye', (await listContributions(f.db, 'global-eye', 1))[0]?.id as number);

  it('NUL bytes and 8-bit garbage are stored (cleaned where text must be clean)', async () => {
    await handler.handle({
      raw: Buffer.concat([
        Buffer.from('From: sam@example.org\r\nSubject: bad \xff\xfe bytes\0\r\n\r\nText with \0 NUL and '),
        Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xff]),
        Buffer.from('\r\n'),
      ]),
      envelopeFrom: 'sam@example.org',
      recipients: [LIST],
    });
    const c = await newest();
    expect(c?.fromAddress).toBe('sam@example.org');
    expect(c?.text).not.toContain('\0');
    expect(c?.text).toContain('NUL');
  });

  it('a name with an encoded line break cannot inject headers into our reply', async () => {
    const evil = `=?utf-8?B?${Buffer.from('Eve\r\nBcc: victim@example.org').toString('base64')}?=`;
    await deliver(
      LIST,
      {
        From: `${evil} <eve@example.org>`,
        Subject: `=?utf-8?B?${Buffer.from('Hi\r\nBcc: x@example.org').toString('base64')}?=`,
      },
      'Hi.',
      'eve@example.org',
    );
    const c = await newest();
    expect(c?.fromName).toBe('Eve Bcc: victim@example.org');
    const ack = lastSent();
    expect(ack?.subject).toBe('Received: Hi Bcc: x@example.org');
    expect(JSON.stringify(ack)).not.toMatch(/\r|\\r/);
  });

  it('missing From: the contribution is kept and acknowledged to the envelope sender', async () => {
    await handler.handle({
      raw: Buffer.from('Subject: anonymous\r\n\r\nNo From header.\r\n'),
      envelopeFrom: 'tia@example.org',
      recipients: [LIST],
    });
    expect(await newest()).toMatchObject({
      fromAddress: null,
      subject: 'anonymous',
      envelopeFrom: 'tia@example.org',
    });
    expect(lastSent()?.to).toBe('tia@example.org');
  });

  it('malformed MIME (unterminated multipart, bad encodings) is kept as received', async () => {
    const raw = Buffer.from(
      'From: uma@example.org\r\nSubject: broken\r\nContent-Type: multipart/mixed; boundary="x"\r\n\r\n--x\r\nContent-Transfer-Encoding: base64\r\n\r\n%%%not base64%%%\r\n--x\r\nContent-Type: text/plain; charset=no-such-charset\r\n\r\ntext',
    );
    await handler.handle({ raw, envelopeFrom: 'uma@example.org', recipients: [LIST] });
    const c = await newest();
    expect(c?.subject).toBe('broken');
  });

  it('a command with neither From nor envelope sender is ignored', async () => {
    await handler.handle({
      raw: Buffer.from('Subject: subscribe\r\n\r\n'),
      envelopeFrom: null,
      recipients: ['globaleye-subscribe@example.org'],
    });
    expect(f.sent).toEqual([]);
  });
});
