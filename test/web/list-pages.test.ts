import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSubscriber, requestSubscription } from '../../src/subscribers/store.ts';
import { listPages } from '../../src/web/list-pages.ts';
import { buildServer } from '../../src/web/server.ts';
import { type ListFixture, listFixture } from '../support/list-fixture.ts';

let f: ListFixture;
let app: FastifyInstance;
beforeAll(async () => {
  f = await listFixture();
  app = await buildServer({ routes: [listPages(f.actions)] });
});
afterAll(async () => {
  await app.close();
  await f.close();
});

const subscriber = (email: string) =>
  requestSubscription(f.db, { publication: 'global-eye', email, source: 'web', now: new Date() });
const status = async (email: string) => (await findSubscriber(f.db, 'global-eye', email))?.status;

describe('confirm and unsubscribe pages', () => {
  it('a confirm link shows a button; only the POST confirms, recording the IP as consent', async () => {
    const token = f.tokens.sign('subscribe', await subscriber('ann@example.org'));
    const page = await app.inject({ method: 'GET', url: `/confirm/${token}` });
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain(`<form method="post" action="/confirm/${token}">`);
    expect(await status('ann@example.org')).toBe('pending');
    expect((await app.inject({ method: 'POST', url: `/confirm/${token}` })).body).toContain(
      'You are subscribed',
    );
    expect(await findSubscriber(f.db, 'global-eye', 'ann@example.org')).toMatchObject({
      status: 'confirmed',
      consentMethod: 'web',
      consentEvidence: 'confirm page from 127.0.0.1',
    });
    expect(f.sent.at(-1)).toMatchObject({
      to: 'ann@example.org',
      subject: 'Welcome to The Global Eye on Human Trafficking',
    });
  });

  it('an unsubscribe link shows a button; GET changes nothing, the button POST unsubscribes', async () => {
    const token = f.tokens.sign('unsubscribe', await subscriber('bob@example.org'));
    expect((await app.inject({ method: 'GET', url: `/unsubscribe/${token}` })).body).toContain(
      '<button type="submit">Unsubscribe</button>',
    );
    expect(await status('bob@example.org')).toBe('pending');
    const done = await app.inject({
      method: 'POST',
      url: `/unsubscribe/${token}`,
      payload: '',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(done.body).toContain('You are unsubscribed');
    expect(await status('bob@example.org')).toBe('unsubscribed');
    expect(f.sent.at(-1)).toMatchObject({
      to: 'bob@example.org',
      subject: 'You will not receive The Global Eye on Human Trafficking any more',
    });
  });

  it.each([
    ['application/x-www-form-urlencoded', 'List-Unsubscribe=One-Click'],
    [
      'multipart/form-data; boundary=b',
      '--b\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--b--\r\n',
    ],
  ])('RFC 8058 one-click POST (%s) unsubscribes at once', async (contentType, payload) => {
    const email = `cy-${contentType.length}@example.org`;
    const token = f.tokens.sign('unsubscribe', await subscriber(email));
    const res = await app.inject({
      method: 'POST',
      url: `/unsubscribe/${token}`,
      headers: { 'content-type': contentType },
      payload,
    });
    expect(res.statusCode).toBe(200);
    expect(await status(email)).toBe('unsubscribed');
  });

  it('invalid, expired, wrong-purpose or other-address tokens all get the same 400 page and change nothing', async () => {
    const s = await subscriber('dee@example.org');
    const tokens = [
      'garbage',
      f.tokens.sign('unsubscribe', s),
      f.tokens.sign('subscribe', s, -1),
      f.tokens.sign('subscribe', { ...s, email: 'eve@example.org' }),
    ];
    const pages = await Promise.all(tokens.map((t) => app.inject({ method: 'POST', url: `/confirm/${t}` })));
    expect(pages.map((p) => p.statusCode)).toEqual([400, 400, 400, 400]);
    expect(new Set(pages.map((p) => p.body)).size).toBe(1);
    expect(await status('dee@example.org')).toBe('pending');
  });
});

describe('the web subscription form', () => {
  const post = (payload: string, ip = '127.0.0.1') =>
    app.inject({
      method: 'POST',
      url: '/global-eye/subscribe',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload,
      remoteAddress: ip,
    });

  it('shows a form for a publication, and nothing for an unknown one', async () => {
    const page = await app.inject({ url: '/global-eye/subscribe' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<form method="post" action="/global-eye/subscribe">');
    expect(page.body).toContain('<input type="email" name="email" required');
    expect((await app.inject({ url: '/no-such-list/subscribe' })).statusCode).toBe(404);
  });

  it('mails a confirmation to the address given and leaves it pending until confirmed (double opt-in)', async () => {
    const before = f.sent.length;
    const res = await post('email=Dot%40Example.ORG&name=Dot&website=');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Please check your inbox');
    expect(await findSubscriber(f.db, 'global-eye', 'Dot@example.org')).toMatchObject({
      email: 'Dot@example.org',
      status: 'pending',
      source: 'web',
      name: 'Dot',
    });
    expect(f.sent.slice(before)).toEqual([expect.objectContaining({ to: 'Dot@example.org' })]);
    expect(f.sent.at(-1)?.subject).toMatch(/confirm/i);
  });

  it('answers the same for a subscribed address, and changes nothing', async () => {
    const token = f.tokens.sign('subscribe', await subscriber('eve@example.org'));
    await app.inject({ method: 'POST', url: `/confirm/${token}` });
    const fresh = await post('email=fay%40example.org', '10.0.0.2');
    const known = await post('email=eve%40example.org', '10.0.0.3');
    expect(known.statusCode).toBe(fresh.statusCode);
    expect(known.body.replace('eve@', 'fay@')).toBe(fresh.body);
    expect(await status('eve@example.org')).toBe('confirmed');
  });

  it('refuses what is not an address, drops robots that fill the hidden field, and limits each IP', async () => {
    expect((await post('email=not-an-address', '10.0.0.4')).statusCode).toBe(400);
    const robot = await post('email=bot%40example.org&website=http%3A%2F%2Fspam.example', '10.0.0.5');
    expect(robot.body).toContain('Please check your inbox');
    expect(await status('bot@example.org')).toBeUndefined();
    const answers = [];
    for (let i = 0; i < 11; i++)
      answers.push((await post(`email=r${i}%40example.org`, '10.0.0.6')).statusCode);
    expect(answers.slice(0, 10).every((code) => code === 200)).toBe(true);
    expect(answers[10]).toBe(429);
  });
});
