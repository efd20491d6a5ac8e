// The list server against a hostile outsider, over real SMTP (and HTTP for the web form): nothing
// accepted is lost, one mailbox is one reader, and no stranger can use the list against anyone.

import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listContributions } from '../../src/inbound/contributions.ts';
import { createInboundHandler } from '../../src/inbound/handler.ts';
import { createListSmtpServer, type ListSmtpServer, type SmtpLimits } from '../../src/inbound/smtp.ts';
import {
  findSubscriber,
  markComplained,
  recordBounce,
  requestSubscription,
} from '../../src/subscribers/store.ts';
import { listPages } from '../../src/web/list-pages.ts';
import { buildServer } from '../../src/web/server.ts';
import { type ListFixture, listFixture, message } from '../support/list-fixture.ts';
import { smtpConnect } from '../support/smtp-client.ts';

const LIST = 'globaleye@example.org';
const SUBSCRIBE = 'globaleye-subscribe@example.org';
let f: ListFixture;
let app: FastifyInstance;
const servers: ListSmtpServer[] = [];

async function startSmtp(limits: Partial<SmtpLimits> = {}): Promise<number> {
  const server = createListSmtpServer(createInboundHandler(f), { limits, log: pino({ level: 'silent' }) });
  servers.push(server);
  return server.listen(0, '127.0.0.1');
}

let port: number;
beforeAll(async () => {
  f = await listFixture();
  app = await buildServer({ routes: [listPages(f.actions)] });
  port = await startSmtp();
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await app.close();
});

/** One message over SMTP from 127.0.0.1 (or `from`); the reply to its end of data or its refusal. */
async function smtp(
  envelope: { from: string; to: string[]; ip?: string; port?: number },
  headers: Record<string, string>,
  body = 'Hello.\r\n',
) {
  const client = await smtpConnect(envelope.port ?? port, { from: envelope.ip });
  try {
    await client.command('EHLO client.example');
    return await client.send({
      from: envelope.from,
      to: envelope.to,
      data: message({ To: envelope.to.join(', '), ...headers }, body).toString('latin1'),
    });
  } finally {
    await client.command('QUIT');
    client.close();
  }
}

const mailTo = (address: string) => f.sent.filter((m) => m.to.toLowerCase() === address.toLowerCase());
const status = async (email: string) => (await findSubscriber(f.db, 'global-eye', email))?.status;
const confirmTokenFor = (address: string) =>
  /\+confirm-([0-9a-z-]+)@/.exec(mailTo(address).at(-1)?.replyTo ?? '')?.[1] as string;
const form = (payload: string, ip: string) =>
  app.inject({
    method: 'POST',
    url: '/global-eye/subscribe',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload,
    remoteAddress: ip,
  });

describe('mail that is accepted is never lost', () => {
  it.each(['globaleyeconstructor', 'globaleye__proto__', 'traffickingconstructor', 'trafficking__proto__'])(
    'a lookalike of a JavaScript property name (%s@) is refused at RCPT',
    async (local) => {
      const reply = await smtp(
        { from: 'ann@example.org', to: [`${local}@example.org`] },
        { From: 'ann@example.org' },
      );
      expect(reply.code).toBe(550);
    },
  );

  it.each([
    ['the null sender', '', {}],
    ['Auto-Submitted', 'ole@example.org', { 'Auto-Submitted': 'auto-replied' }],
    ['a MAILER-DAEMON sender', 'MAILER-DAEMON@mx.example.org', {}],
  ])(
    'automatic mail to the contribution address (%s) is stored, held and not answered',
    async (what, from, headers) => {
      const subject = `Automatic: ${what}`;
      const reply = await smtp(
        { from, to: [LIST] },
        { From: from || 'mailer-daemon@mx.example.org', Subject: subject, ...headers },
      );
      expect(reply.code).toBe(250);
      const [latest] = await listContributions(f.db, 'global-eye', 1);
      expect(latest).toMatchObject({ subject, heldReason: 'automatic reply' });
      expect(f.sent.filter((m) => m.subject?.includes(subject))).toEqual([]);
    },
  );
});

describe('one mailbox, one reader', () => {
  it('CAROL@ on the web form is carol@: no second row, and the stored spelling is kept', async () => {
    await f.confirmed('carol@example.com');
    expect((await form('email=CAROL%40example.com', '10.1.0.1')).statusCode).toBe(200);
    const { rows } = await f.db.query<{ email: string; status: string }>(
      "SELECT email, status FROM subscribers WHERE lower(email) = 'carol@example.com'",
    );
    expect(rows).toEqual([{ email: 'carol@example.com', status: 'confirmed' }]);
  });

  it('From: VICTIM@EXAMPLE.COM to -unsubscribe@ acts on victim@example.com', async () => {
    await f.confirmed('victim@example.com');
    f.sent.length = 0;
    const reply = await smtp(
      { from: 'VICTIM@EXAMPLE.COM', to: ['globaleye-unsubscribe@example.org'] },
      { From: 'VICTIM@EXAMPLE.COM' },
    );
    expect(reply.code).toBe(250);
    const ask = mailTo('victim@example.com').at(-1);
    expect(ask).toMatchObject({ to: 'victim@example.com' });
    expect(ask?.subject).toBe('Confirm that you want to leave The Global Eye on Human Trafficking');
    await smtp(
      {
        from: 'victim@example.com',
        to: [`globaleye+confirm-${confirmTokenFor('victim@example.com')}@example.org`],
      },
      { From: 'victim@example.com' },
    );
    expect(await status('victim@example.com')).toBe('unsubscribed');
  });

  it('the database refuses a second row for the same mailbox in another case', async () => {
    await f.confirmed('dan@example.com');
    await expect(
      f.db.query(
        "INSERT INTO subscribers (publication, email, status, source, created_at, updated_at) VALUES ('global-eye', 'DAN@example.com', 'pending', 'web', now(), now())",
      ),
    ).rejects.toThrow(/unique|duplicate/i);
  });
});

describe('no stranger can flood an address with automatic mail', () => {
  it('forged subscribe requests naming one victim produce one confirmation', async () => {
    for (let i = 0; i < 5; i++) {
      const reply = await smtp(
        { from: `attacker${i}@example.net`, to: [SUBSCRIBE] },
        { From: 'Flood.Victim@example.org' },
      );
      expect(reply.code).toBe(250);
    }
    expect(mailTo('flood.victim@example.org')).toHaveLength(1);
  });

  it('one message to 10 list addresses produces at most one mail', async () => {
    const to = [
      LIST,
      SUBSCRIBE,
      'globaleye-join@example.org',
      'globaleye-request@example.org',
      'globaleye-unsubscribe@example.org',
      'globaleye-leave@example.org',
      'trafficking@example.org',
      'trafficking-subscribe@example.org',
      'trafficking-join@example.org',
      'trafficking-request@example.org',
    ];
    expect(
      (await smtp({ from: 'ten@example.org', to }, { From: 'ten@example.org', Subject: 'subscribe' })).code,
    ).toBe(250);
    expect(mailTo('ten@example.org')).toHaveLength(1);
  });

  it('20 invalid confirmation tokens in one message are answered at most once', async () => {
    const to = Array.from(
      { length: 20 },
      (_, i) => `globaleye+confirm-s${(i + 1).toString(36)}-zzzzzz-aaaaaaaaaaaaaaaa@example.org`,
    );
    expect((await smtp({ from: 'junk@example.org', to }, { From: 'junk@example.org' })).code).toBe(250);
    expect(mailTo('junk@example.org').length).toBeLessThanOrEqual(1);
  });

  it('20 web sign-ups for a confirmed address produce at most one welcome', async () => {
    await f.confirmed('welcomed@example.org');
    const before = mailTo('welcomed@example.org').length;
    for (let i = 0; i < 20; i++)
      expect((await form('email=welcomed%40example.org', `10.2.0.${i + 1}`)).statusCode).toBe(200);
    expect(mailTo('welcomed@example.org').length - before).toBeLessThanOrEqual(1);
  });

  it('an address that complained or hard-bounced gets no mail from a request by mail, only from the web form', async () => {
    const complained = await f.confirmed('complainer@example.org');
    await markComplained(f.db, complained.id, new Date());
    const bounced = await f.confirmed('bounced@example.org');
    await recordBounce(f.db, bounced.id, { hard: true, now: new Date() });
    f.sent.length = 0;
    for (const who of ['complainer@example.org', 'bounced@example.org']) {
      await smtp({ from: who, to: [SUBSCRIBE] }, { From: who });
      await smtp({ from: who, to: ['globaleye-unsubscribe@example.org'] }, { From: who });
    }
    expect(f.sent).toEqual([]);
    await form('email=complainer%40example.org', '10.3.0.1');
    expect(mailTo('complainer@example.org')).toHaveLength(1);
    expect(await status('complainer@example.org')).toBe('complained');
  });
});

describe('tokens act once, on the state they were issued for', () => {
  it('a used confirmation reply cannot re-subscribe someone who unsubscribed since', async () => {
    await smtp({ from: 'eve@example.org', to: [SUBSCRIBE] }, { From: 'eve@example.org' });
    const confirmAddress = `globaleye+confirm-${confirmTokenFor('eve@example.org')}@example.org`;
    await smtp({ from: 'eve@example.org', to: [confirmAddress] }, { From: 'eve@example.org' });
    expect(await status('eve@example.org')).toBe('confirmed');
    const s = await findSubscriber(f.db, 'global-eye', 'eve@example.org');
    const unsubscribe = f.tokens.sign('unsubscribe', s as NonNullable<typeof s>);
    await app.inject({
      method: 'POST',
      url: `/unsubscribe/${unsubscribe}`,
      payload: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(await status('eve@example.org')).toBe('unsubscribed');
    await smtp({ from: 'eve@example.org', to: [confirmAddress] }, { From: 'eve@example.org' });
    expect(await status('eve@example.org')).toBe('unsubscribed');
  });

  it('a used confirm link on the web cannot re-subscribe someone who unsubscribed since', async () => {
    await form('email=fay%40example.org', '10.4.0.1');
    const token = /\/confirm\/([0-9a-z-]+)/.exec(mailTo('fay@example.org').at(-1)?.text ?? '')?.[1] as string;
    expect((await app.inject({ method: 'POST', url: `/confirm/${token}` })).statusCode).toBe(200);
    const s = await findSubscriber(f.db, 'global-eye', 'fay@example.org');
    await f.actions.unsubscribe({
      list: f.list('global-eye'),
      subscriber: s as NonNullable<typeof s>,
      purpose: 'unsubscribe',
    });
    const again = await app.inject({ method: 'POST', url: `/confirm/${token}` });
    expect(again.statusCode).toBe(400);
    expect(await status('fay@example.org')).toBe('unsubscribed');
  });

  it('a token with another spelling of its numbers (s05- for s5-) is not valid', async () => {
    const s = await requestSubscription(f.db, {
      publication: 'global-eye',
      email: 'gil@example.org',
      source: 'email',
      now: new Date(),
    });
    const token = f.tokens.sign('subscribe', s);
    const padded = token.replace(/^s([0-9a-z]+)-/, 's0$1-');
    await smtp(
      { from: 'gil@example.org', to: [`globaleye+confirm-${padded}@example.org`] },
      { From: 'gil@example.org' },
    );
    expect(await status('gil@example.org')).toBe('pending');
    expect((await app.inject({ method: 'POST', url: `/confirm/${padded}` })).statusCode).toBe(400);
    expect(await status('gil@example.org')).toBe('pending');
  });
});

describe('a stranger cannot change an existing subscriber', () => {
  it('the web form does not set the display name of an existing subscriber, named or not', async () => {
    await f.confirmed('hana@example.org', { name: 'Hana' });
    await f.confirmed('ines@example.org');
    await form('email=hana%40example.org&name=Mallory', '10.5.0.1');
    await form('email=ines%40example.org&name=Mallory', '10.5.0.2');
    expect((await findSubscriber(f.db, 'global-eye', 'hana@example.org'))?.name).toBe('Hana');
    expect((await findSubscriber(f.db, 'global-eye', 'ines@example.org'))?.name).toBeNull();
  });
});

describe('bounces', () => {
  it('a delivery report with Action: delivered, relayed or expanded is no bounce', async () => {
    const s = await f.confirmed('jon@example.org');
    const token = f.tokens.sign('bounce', s);
    for (const action of ['delivered', 'relayed', 'expanded']) {
      const body = [
        '--dsn',
        'Content-Type: text/plain',
        '',
        'Your message was delivered.',
        '--dsn',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.example.org',
        '',
        'Final-Recipient: rfc822; jon@example.org',
        `Action: ${action}`,
        'Status: 2.0.0',
        '',
        '--dsn--',
        '',
      ].join('\r\n');
      const reply = await smtp(
        { from: '', to: [`globaleye+bounce-${token}@example.org`] },
        {
          From: 'MAILER-DAEMON@mx.example.org',
          'MIME-Version': '1.0',
          'Content-Type': 'multipart/report; report-type=delivery-status; boundary="dsn"',
        },
        body,
      );
      expect(reply.code).toBe(250);
    }
    expect(await findSubscriber(f.db, 'global-eye', 'jon@example.org')).toMatchObject({
      status: 'confirmed',
      bounceScore: 0,
    });
  });
});

describe('SMTP limits a stranger cannot turn against others', () => {
  it('envelopes without DATA, naming a victim, do not lock the victim out', async () => {
    const envelopes = [];
    for (let connection = 0; connection < 4; connection++) {
      const attacker = await smtpConnect(port);
      await attacker.command('EHLO attacker.example');
      for (let i = 0; i < 10; i++) {
        envelopes.push((await attacker.command('MAIL FROM:<kim@example.org>')).code);
        await attacker.command('RSET');
      }
      attacker.close();
    }
    expect(envelopes.filter((c) => c === 250)).toHaveLength(40);
    const reply = await smtp(
      { from: 'kim@example.org', to: [LIST] },
      { From: 'kim@example.org', Subject: 'My contribution' },
    );
    expect(reply.code).toBe(250);
  });

  it('messages forged in the name of a sender from one network do not lock out the sender elsewhere', async () => {
    const limited = await startSmtp({ perSenderPerHour: 3 });
    const forged = [];
    for (let i = 0; i < 5; i++)
      forged.push(
        (
          await smtp(
            { from: 'lee@example.org', to: [LIST], port: limited },
            { From: 'lee@example.org', Subject: `forged ${i}` },
          )
        ).code,
      );
    expect(forged).toEqual([250, 250, 250, 450, 450]);
    const real = await smtp(
      { from: 'lee@example.org', to: [LIST], port: limited, ip: '127.0.0.2' },
      { From: 'lee@example.org', Subject: 'real' },
    );
    expect(real.code).toBe(250);
  });

  it('one IP cannot hold every connection slot: others are still served', async () => {
    const limited = await startSmtp({ maxConnections: 20, maxConnectionsPerIp: 4 });
    const held = [];
    for (let i = 0; i < 20; i++) held.push(await smtpConnect(limited));
    try {
      expect(held.filter((c) => c.greeting.code === 220)).toHaveLength(4);
      expect(held.filter((c) => c.greeting.code === 421)).toHaveLength(16);
      for (const c of held) await c.command('NOOP');
      const reply = await smtp(
        { from: 'mo@example.org', to: [LIST], port: limited, ip: '127.0.0.2' },
        { From: 'mo@example.org', Subject: 'during a flood' },
      );
      expect(reply.code).toBe(250);
    } finally {
      for (const c of held) c.close();
    }
  });

  it('a connection that only sends NOOP is closed after the limit of commands without a message', async () => {
    const limited = await startSmtp({ maxCommandsWithoutMessage: 10 });
    const client = await smtpConnect(limited);
    const codes = [];
    for (let i = 0; i < 15; i++) codes.push((await client.command('NOOP')).code);
    expect(codes.slice(0, 9).every((c) => c === 250)).toBe(true);
    expect(codes).toContain(421);
    await client.closed;
    client.close();
  });
});
