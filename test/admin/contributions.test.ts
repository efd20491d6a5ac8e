// The contributions pages over real HTTP and PostgreSQL: the list, waiting or handled; one
// contribution shown as text, never the sender's HTML; attachments only as downloads with a safe
// name; marked handled and waiting again, each checked in the database and refused without CSRF.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachmentDisposition, contributionsSection } from '../../src/admin/contributions.ts';
import { getContribution, saveContribution } from '../../src/inbound/contributions.ts';
import { loadLists } from '../../src/subscribers/lists.ts';
import { type AdminClient, signIn } from '../support/admin.ts';
import { anArticle } from '../support/contributions.ts';
import { type AdminFixture, EDITOR, startAdmin } from './fixture.ts';

let admin: AdminFixture;
let editor: AdminClient;
let article: number;
let hostile: number;

const LIST = '/admin/contributions/global-eye';

beforeAll(async () => {
  const { lists } = loadLists('issues');
  admin = await startAdmin({
    sections: (deps) => [contributionsSection({ db: deps.db, lists, clock: deps.clock })],
  });
  const received = new Date('2026-06-01T09:30:00Z');
  article = await saveContribution(admin.db, anArticle());
  hostile = await saveContribution(admin.db, {
    publication: 'global-eye',
    receivedAt: received,
    envelopeFrom: 'mallory@example.org',
    fromAddress: 'mallory@example.org',
    fromName: '<img src=x onerror=alert(1)>',
    subject: '<script>alert("subject")</script>',
    text: '<script>alert("text")</script> and <b>bold</b>',
    raw: Buffer.from('Subject: x\r\n\r\nx\r\n'),
    attachments: [
      {
        filename: '../"evil"\r\nX-Header: 1.html',
        contentType: 'text/html',
        content: Buffer.from('<script>alert(document.cookie)</script>'),
      },
    ],
  });
  editor = await signIn(admin.base, EDITOR.name, EDITOR.password);
}, 60_000);

afterAll(async () => {
  await admin?.stop();
});

describe('the contributions list', () => {
  it('shows those waiting, newest first, with sender, subject and attachments', async () => {
    const list = await editor.get(LIST);
    expect(list.status).toBe(200);
    expect(list.body).toContain('<caption>Waiting, newest first</caption>');
    const subjects = [...list.body.matchAll(/<th scope="row"><a href="([^"]+)">([^<]*)<\/a>/g)].map(
      (m) => m[1],
    );
    expect(subjects).toEqual([`${LIST}/${hostile}`, `${LIST}/${article}`]);
    expect(list.body).toContain('Wanda Writer &lt;writer@example.org&gt;');
    expect(list.body).toContain('&lt;script&gt;alert(&quot;subject&quot;)&lt;/script&gt;');
    expect(list.body).not.toContain('<script>');
    expect(list.body).not.toContain('<img src=x');
    expect((await editor.get(`${LIST}?show=bogus`)).status).toBe(400);
    expect((await editor.get('/admin/contributions/nowhere')).status).toBe(404);
  });
});

describe('a contribution', () => {
  it('is shown as text, escaped, with its attachments as download links', async () => {
    const page = await editor.get(`${LIST}/${hostile}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain(
      '&lt;script&gt;alert(&quot;text&quot;)&lt;/script&gt; and &lt;b&gt;bold&lt;/b&gt;',
    );
    expect(page.body).not.toMatch(/<script|<b>bold|<img src=x/);
    expect(page.body).toMatch(
      /<a href="\/admin\/contributions\/global-eye\/\d+\/attachments\/\d+" download="_evil_X-Header_ 1.html">/,
    );
    expect((await editor.get(`${LIST}/99999`)).status).toBe(404);
    expect((await editor.get(`/admin/contributions/trafficking-in-migrants/${article}`)).status).toBe(404);
  });

  it('gives an attachment only as a download: octet-stream, attachment, safe name, nosniff, sandboxed', async () => {
    const page = await editor.get(`${LIST}/${hostile}`);
    const link = /href="(\/admin\/contributions\/global-eye\/\d+\/attachments\/\d+)"/.exec(page.body)?.[1];
    const response = await fetch(`${admin.base}${link}`, { headers: { cookie: editor.cookie } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="_evil_X-Header_ 1.html"; filename*=UTF-8''_evil_X-Header_%201.html`,
    );
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain('sandbox');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.text()).toBe('<script>alert(document.cookie)</script>');
    const pdf =
      /href="([^"]+\/attachments\/\d+)"/.exec((await editor.get(`${LIST}/${article}`)).body)?.[1] ?? '';
    expect(
      Buffer.from(
        await (await fetch(admin.base + pdf, { headers: { cookie: editor.cookie } })).arrayBuffer(),
      ).toString(),
    ).toBe('%PDF-1.4 article');
    // Another contribution's number with this attachment: not found.
    const foreign = pdf.replace(`/${article}/`, `/${hostile}/`);
    expect((await fetch(admin.base + foreign, { headers: { cookie: editor.cookie } })).status).toBe(404);
    // Signed out: no attachment.
    expect((await fetch(admin.base + pdf, { redirect: 'manual' })).status).toBe(303);
  });

  it('is marked handled with who, and waiting again; never without the CSRF token', async () => {
    const page = await editor.get(`${LIST}/${article}`);
    expect((await editor.post(`${LIST}/${article}/handled`, { handled: 'yes' })).status).toBe(403);
    expect((await getContribution(admin.db, 'global-eye', article))?.handledAt).toBeNull();
    const done = await editor.post(`${LIST}/${article}/handled`, { handled: 'yes' }, page.body);
    expect(done.status).toBe(303);
    expect(await getContribution(admin.db, 'global-eye', article)).toMatchObject({ handledBy: 'eda' });
    const waiting = await editor.get(LIST);
    expect(waiting.body).not.toContain(`href="${LIST}/${article}"`);
    const handled = await editor.get(`${LIST}?show=handled`);
    expect(handled.body).toContain(`href="${LIST}/${article}"`);
    expect(handled.body).toMatch(/handled by eda, <time/);
    const again = await editor.get(`${LIST}/${article}`);
    expect(again.body).toContain('Contribution');
    await editor.post(`${LIST}/${article}/handled`, { handled: 'no' }, again.body);
    expect((await getContribution(admin.db, 'global-eye', article))?.handledAt).toBeNull();
  });
});

describe('attachment names in the header', () => {
  it('keep non-ASCII names for browsers that read filename*, and never break the header', () => {
    expect(attachmentDisposition('Käse.pdf')).toBe(
      `attachment; filename="K_se.pdf"; filename*=UTF-8''K%C3%A4se.pdf`,
    );
    expect(attachmentDisposition('a"b\\c.txt')).toBe(
      `attachment; filename="a_b_c.txt"; filename*=UTF-8''a%22b%5Cc.txt`,
    );
  });
});
