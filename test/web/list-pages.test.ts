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
afterAll(() => app.close());

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
