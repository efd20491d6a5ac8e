// A change of display name for an existing subscriber, over real HTTP and real SMTP: whoever asks
// (web form or a mail subscribe command), nothing changes until the address's owner follows the
// mailed link and presses the button; the link acts once, only while the subscriber is unchanged.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSubscriber, requestSubscription } from '../../src/subscribers/store.ts';
import { listPages } from '../../src/web/list-pages.ts';
import { type LiveServer, startHttp } from '../support/http.ts';
import { type ListFixture, message, startListServers } from '../support/list-fixture.ts';
import { smtpConnect } from '../support/smtp-client.ts';

let f: ListFixture;
let web: LiveServer;
let smtpPort: number;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ f, web, smtpPort, close } = await startListServers());
});
afterAll(() => close?.());

const form = { 'content-type': 'application/x-www-form-urlencoded' };
const subscribeForm = (email: string, name: string, base = web.base) =>
  fetch(`${base}/global-eye/subscribe`, {
    method: 'POST',
    headers: form,
    body: new URLSearchParams({ email, name }).toString(),
  });
const press = (token: string) =>
  fetch(`${web.base}/change/${token}`, { method: 'POST', headers: form, body: '' });
const nameOf = async (email: string) => (await findSubscriber(f.db, 'global-eye', email))?.name;
const mailTo = (address: string) => f.sent.filter((m) => m.to.toLowerCase() === address.toLowerCase());
const changeTokenIn = (address: string) =>
  /\/change\/([0-9a-z-]+)/.exec(mailTo(address).at(-1)?.text ?? '')?.[1];

/** The page's text without the address and the markup, to compare two answers. */
const answer = async (res: Response, address: string) => ({
  status: res.status,
  body: (await res.text()).replaceAll(address, 'ADDRESS'),
});

describe('changing the display name of an existing subscriber', () => {
  it("a stranger's request changes nothing: the owner is mailed a link whose GET changes nothing either", async () => {
    await f.confirmed('kai@example.org', { name: 'Kai' });
    expect((await subscribeForm('kai@example.org', 'Mallory')).status).toBe(200);
    expect(await nameOf('kai@example.org')).toBe('Kai');
    const mail = mailTo('kai@example.org').at(-1);
    expect(mail).toMatchObject({
      subject: 'Confirm the change to your subscription to The Global Eye on Human Trafficking',
    });
    expect(mail?.text).toContain('to: Mallory');
    expect(mail?.headers?.['Auto-Submitted']).toBe('auto-replied');
    const token = changeTokenIn('kai@example.org') as string;
    const page = await fetch(`${web.base}/change/${token}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`<form method="post" action="/change/${token}">`);
    expect(await nameOf('kai@example.org')).toBe('Kai');
  });

  it('the owner confirms with the button: the name changes, with the proof recorded; the link then is spent', async () => {
    await f.confirmed('lea@example.org', { name: 'Lea' });
    await subscribeForm('lea@example.org', 'Léa Martin');
    const token = changeTokenIn('lea@example.org') as string;
    const done = await press(token);
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Your subscription is changed');
    expect(await nameOf('lea@example.org')).toBe('Léa Martin');
    const { rows } = await f.db.query<{
      name: string;
      requested_by: string;
      consent_evidence: string;
      confirmed_at: Date;
    }>(
      `SELECT c.name, c.requested_by, c.consent_evidence, c.confirmed_at FROM subscriber_changes c
       JOIN subscribers s ON s.id = c.subscriber_id WHERE s.email = 'lea@example.org'`,
    );
    expect(rows).toEqual([
      {
        name: 'Léa Martin',
        requested_by: 'web',
        consent_evidence: 'change page from 127.0.0.1',
        confirmed_at: expect.any(Date),
      },
    ]);

    const again = await press(token);
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('This link has expired or is not valid');
    expect((await fetch(`${web.base}/change/${token}`)).status).toBe(400);
  });

  it('a link followed after the owner unsubscribed is refused, and changes nothing', async () => {
    await f.confirmed('mia@example.org', { name: 'Mia' });
    await subscribeForm('mia@example.org', 'Someone Else');
    const token = changeTokenIn('mia@example.org') as string;
    const s = await findSubscriber(f.db, 'global-eye', 'mia@example.org');
    const target = s && (await f.actions.resolve(f.tokens.sign('unsubscribe', s), ['unsubscribe']));
    expect(target && (await f.actions.unsubscribe(target))).toBe(true);
    const res = await press(token);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('This link has expired or is not valid');
    expect(await nameOf('mia@example.org')).toBe('Mia');
  });

  it('mails the owner one such link a day, however many requests are made (the automatic-mail cap)', async () => {
    await f.confirmed('rae@example.org', { name: 'Rae' });
    // A server of its own: its sign-ups per IP are counted apart from the other tests'.
    const other = await startHttp({ routes: [listPages(f.actions)] });
    try {
      for (const name of ['Spam One', 'Spam Two', 'Spam Three']) {
        expect((await subscribeForm('rae@example.org', name, other.base)).status).toBe(200);
      }
    } finally {
      await other.close();
    }
    const links = mailTo('rae@example.org').filter((m) => m.subject.startsWith('Confirm the change'));
    expect(links).toHaveLength(1);
    expect(await nameOf('rae@example.org')).toBe('Rae');
  });

  it('a forged or altered link is refused with the same page', async () => {
    await f.confirmed('noa@example.org', { name: 'Noa' });
    await subscribeForm('noa@example.org', 'Other');
    const token = changeTokenIn('noa@example.org') as string;
    const forged = `${token.slice(0, -1)}${token.endsWith('a') ? 'b' : 'a'}`;
    const res = await press(forged);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('This link has expired or is not valid');
    // A change token is no confirm or unsubscribe token.
    expect((await fetch(`${web.base}/confirm/${token}`)).status).toBe(400);
    expect(await nameOf('noa@example.org')).toBe('Noa');
  });

  it('the requester sees the same answer whatever the address: new, pending, confirmed with that name or another', async () => {
    await f.confirmed('ola@example.org', { name: 'Ola' });
    await requestSubscription(f.db, {
      publication: 'global-eye',
      email: 'pia@example.org',
      source: 'web',
      now: new Date(),
    });
    const answers = [];
    for (const address of ['ola@example.org', 'pia@example.org', 'nobody-yet@example.org']) {
      answers.push(await answer(await subscribeForm(address, 'Ola Nordmann'), address));
    }
    answers.push(await answer(await subscribeForm('ola@example.org', 'Ola'), 'ola@example.org'));
    for (const a of answers) expect(a).toEqual(answers[0]);
  });

  it('a subscribe command by mail under another name asks the owner too, and the link works the same', async () => {
    await f.confirmed('quinn@example.org', { name: 'Quinn' });
    const client = await smtpConnect(smtpPort);
    try {
      await client.command('EHLO client.example');
      const reply = await client.send({
        from: 'quinn@example.org',
        to: ['globaleye-subscribe@example.org'],
        data: message({
          From: 'Quinn Byrne <quinn@example.org>',
          To: 'globaleye-subscribe@example.org',
          Subject: 'subscribe',
        }).toString('latin1'),
      });
      expect(reply.code).toBe(250);
    } finally {
      await client.command('QUIT');
      client.close();
    }
    expect(await nameOf('quinn@example.org')).toBe('Quinn');
    const token = changeTokenIn('quinn@example.org') as string;
    expect(mailTo('quinn@example.org').at(-1)?.text).toContain('to: Quinn Byrne');
    expect((await press(token)).status).toBe(200);
    expect(await nameOf('quinn@example.org')).toBe('Quinn Byrne');
  });
});
