// The subscribers pages over real HTTP and PostgreSQL: find a reader, read their record, invite,
// add with consent, unsubscribe, erase after typing the address, import and export; each checked
// in the database, each POST refused without its CSRF token, and what only a publisher may do
// refused to an editor.

import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscribersSection } from '../../src/admin/subscribers.ts';
import type { OutgoingMail } from '../../src/list/mail.ts';
import { createListActions } from '../../src/subscribers/actions.ts';
import { loadLists } from '../../src/subscribers/lists.ts';
import { confirmSubscription, findSubscriber, requestSubscription } from '../../src/subscribers/store.ts';
import { type AdminClient, signIn } from '../support/admin.ts';
import { seedReaders } from '../support/campaigns.ts';
import { listActionDeps } from '../support/list-fixture.ts';
import { type AdminFixture, EDITOR, PUBLISHER, startAdmin } from './fixture.ts';

let admin: AdminFixture;
let editor: AdminClient;
let publisher: AdminClient;
const sent: OutgoingMail[] = [];
const now = new Date('2026-05-01T12:00:00Z');
/** Small enough to test; big enough for a file over the 1 MiB every form body is held to. */
const IMPORT_LIMIT = 2 * 1024 * 1024;

beforeAll(async () => {
  const { lists } = loadLists('issues');
  admin = await startAdmin({
    sections: (deps) => [
      subscribersSection({
        db: deps.db,
        lists,
        clock: deps.clock,
        log: pino({ level: 'silent' }),
        importMaxBytes: IMPORT_LIMIT,
        actions: createListActions(listActionDeps(deps.db, lists, sent, deps.clock)),
      }),
    ],
  });
  await seedReaders(admin.db, 120);
  for (const email of ['Carol.Jones@example.org', 'carolina@example.org']) {
    const s = await requestSubscription(admin.db, { publication: 'global-eye', email, source: 'web', now });
    await confirmSubscription(admin.db, s.id, { method: 'web', evidence: '192.0.2.44', now });
  }
  editor = await signIn(admin.base, EDITOR.name, EDITOR.password);
  publisher = await signIn(admin.base, PUBLISHER.name, PUBLISHER.password);
}, 60_000);

afterAll(async () => {
  await admin?.stop();
});

const LIST = '/admin/subscribers/global-eye';
const reader = async (email: string) => findSubscriber(admin.db, 'global-eye', email);
const events = async (id: number) =>
  (
    await admin.db.query<{ actor: string; action: string }>(
      'SELECT actor, action FROM subscriber_events WHERE subscriber_id = $1 ORDER BY id',
      [id],
    )
  ).rows;

describe('finding readers', () => {
  it('offers the publications, each with its counts', async () => {
    const front = await editor.get('/admin/subscribers');
    expect(front.status).toBe(200);
    expect(front.body).toContain(`<a href="${LIST}">The Global Eye on Human Trafficking</a>`);
    expect(front.body).toContain('122 confirmed, 0 pending');
  });

  it('searches by any part of the address and pages the rest, to an editor', async () => {
    const found = await editor.get(`${LIST}?q=CAROL`);
    expect(found.status).toBe(200);
    expect(found.body).toContain(
      '<li><a href="/admin/subscribers/global-eye?status=confirmed">confirmed</a>: 122</li>',
    );
    const addresses = [...found.body.matchAll(/<th scope="row"><a href="[^"]+">([^<]+)<\/a>/g)].map(
      (m) => m[1],
    );
    expect(addresses).toEqual(['carolina@example.org', 'Carol.Jones@example.org']);
    const first = await editor.get(LIST);
    expect([...first.body.matchAll(/<th scope="row">/g)]).toHaveLength(50);
    const older = /href="(\/admin\/subscribers\/global-eye\?before=\d+)">Older readers/.exec(first.body)?.[1];
    expect(older).toBeDefined();
    const second = await editor.get(older ?? '');
    // 122 readers, newest first: the first page ends with reader73.
    expect(first.body).toContain('>reader73@example.org<');
    expect(first.body).not.toContain('>reader72@example.org<');
    expect(second.body).toContain('>reader72@example.org<');
    expect(second.body).not.toContain('>reader73@example.org<');
    expect((await editor.get(`${LIST}?q=ca`)).body).toContain('Type at least 3 characters');
    expect((await editor.get(`${LIST}?status=nonsense`)).status).toBe(400);
    expect((await editor.get('/admin/subscribers/nowhere')).status).toBe(404);
  });

  it("shows a reader's record: consent and history", async () => {
    const s = await reader('carolina@example.org');
    const page = await editor.get(`${LIST}/${s?.id}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<h1>carolina@example.org</h1>');
    expect(page.body).toContain('<dt>Consent</dt><dd>web: 192.0.2.44</dd>');
    expect(page.body).toMatch(/<td>asked to join on the web form<\/td>[\s\S]*<td>confirmed<\/td>/);
    // Another publication's reader is not found through this one.
    const other = await requestSubscription(admin.db, {
      publication: 'trafficking-in-migrants',
      email: 'tim@example.org',
      source: 'web',
      now,
    });
    expect((await editor.get(`${LIST}/${other.id}`)).status).toBe(404);
  });
});

describe('what an editor does', () => {
  it('invites a reader: a confirmation mail, a pending reader, recorded with who', async () => {
    const form = await editor.get(LIST);
    const before = sent.length;
    const invited = await editor.post(
      `${LIST}/invite`,
      { email: 'New@Example.org', name: 'Nina' },
      form.body,
    );
    expect(invited.status).toBe(303);
    const s = await reader('new@example.org');
    expect(s).toMatchObject({ status: 'pending', source: 'admin', name: 'Nina' });
    expect(sent.slice(before).map((m) => m.to)).toEqual(['New@example.org']);
    expect(await events(s?.id ?? 0)).toEqual([{ actor: 'eda', action: 'invited (confirmation mailed)' }]);
    const next = await editor.get(invited.location ?? '');
    expect(next.body).toContain('A confirmation mail is on its way to New@example.org');
  });

  it('unsubscribes a reader, recorded with who', async () => {
    const s = await reader('reader5@example.org');
    const page = await editor.get(`${LIST}/${s?.id}`);
    const done = await editor.post(`${LIST}/${s?.id}/unsubscribe`, {}, page.body);
    expect(done.status).toBe(303);
    expect((await reader('reader5@example.org'))?.status).toBe('unsubscribed');
    expect(await events(s?.id ?? 0)).toEqual([{ actor: 'eda', action: 'unsubscribed' }]);
    const record = await editor.get(`${LIST}/${s?.id}`);
    expect(record.body).toMatch(/<td>unsubscribed<\/td><td>eda<\/td>/);
  });

  it('refuses every POST without its CSRF token, and changes nothing', async () => {
    const s = await reader('reader6@example.org');
    const refused = await editor.post(`${LIST}/${s?.id}/unsubscribe`, {});
    expect(refused.status).toBe(403);
    expect((await editor.post(`${LIST}/invite`, { email: 'csrf@example.org' })).status).toBe(403);
    expect((await reader('reader6@example.org'))?.status).toBe('confirmed');
    expect(await reader('csrf@example.org')).toBeUndefined();
  });

  it('may not add as confirmed, import, export or erase: 403, and nothing changes', async () => {
    const page = await editor.get(LIST);
    expect(page.body).toContain('Only a publisher can add readers as confirmed, import, export or erase.');
    expect(page.body).not.toContain(`action="${LIST}/add"`);
    const add = await editor.post(
      `${LIST}/add`,
      { email: 'sneak@example.org', consent: 'trust me, they said yes' },
      page.body,
    );
    expect(add.status).toBe(403);
    expect(await reader('sneak@example.org')).toBeUndefined();
    expect((await editor.get(`${LIST}/export`)).status).toBe(403);
    const s = await reader('reader7@example.org');
    expect((await editor.get(`${LIST}/${s?.id}/erase`)).status).toBe(403);
    expect(
      (await editor.post(`${LIST}/${s?.id}/erase`, { address: 'reader7@example.org' }, page.body)).status,
    ).toBe(403);
    expect(await reader('reader7@example.org')).toBeDefined();
  });
});

describe('what a publisher does', () => {
  it('adds a reader who gave consent elsewhere, with that consent as the record', async () => {
    const page = await publisher.get(LIST);
    const added = await publisher.post(
      `${LIST}/add`,
      { email: 'fair@example.org', name: 'Fay', consent: 'signed form at the Geneva fair' },
      page.body,
    );
    expect(added.status).toBe(303);
    expect(await reader('fair@example.org')).toMatchObject({
      status: 'confirmed',
      consentMethod: 'admin',
      consentEvidence: 'pub: signed form at the Geneva fair',
    });
    // Never over an opt-out.
    await publisher.post(
      `${LIST}/add`,
      { email: 'reader5@example.org', consent: 'they called us' },
      page.body,
    );
    expect((await reader('reader5@example.org'))?.status).toBe('unsubscribed');
  });

  it('erases a reader only once the address is typed, and an import never brings them back', async () => {
    const s = await reader('reader8@example.org');
    const confirm = await publisher.get(`${LIST}/${s?.id}/erase`);
    expect(confirm.status).toBe(200);
    expect(confirm.body).toContain('Type the address to confirm');
    const wrong = await publisher.post(
      `${LIST}/${s?.id}/erase`,
      { address: 'reader9@example.org' },
      confirm.body,
    );
    expect(wrong.status).toBe(400);
    expect(await reader('reader8@example.org')).toBeDefined();
    expect((await publisher.post(`${LIST}/${s?.id}/erase`, { address: 'reader8@example.org' })).status).toBe(
      403,
    );
    const erased = await publisher.post(
      `${LIST}/${s?.id}/erase`,
      { address: 'READER8@example.org' },
      confirm.body,
    );
    expect(erased.status).toBe(303);
    expect(await reader('reader8@example.org')).toBeUndefined();
    const { rows } = await admin.db.query('SELECT erased_by FROM erased_mailboxes WHERE publication = $1', [
      'global-eye',
    ]);
    expect(rows).toEqual([{ erased_by: 'pub' }]);

    const report = await upload('email,name\nreader8@example.org,Back\nimported@example.org,Ima\n');
    expect(report.status).toBe(200);
    expect(report.body).toContain('list.csv: 1 imported, 0 updated, 1 skipped.');
    expect(report.body).toContain('erased earlier at its owner&#39;s request');
    expect(await reader('reader8@example.org')).toBeUndefined();
    expect(await reader('imported@example.org')).toMatchObject({
      status: 'confirmed',
      consentEvidence: 'import of list.csv (uploaded by pub)',
    });
  });

  it("keeps the readers' choices of an upload only in the publication's languages, as the CLI does", async () => {
    const report = await upload(
      'email,name,language,format\nfrancine@example.org,Francine,fr,text\ndieter@example.org,Dieter,de,html\n',
    );
    expect(report.status).toBe(200);
    expect(report.body).toContain('list.csv: 1 imported, 0 updated, 1 skipped.');
    expect(await reader('francine@example.org')).toMatchObject({ language: 'fr', format: 'text' });
    expect(await reader('dieter@example.org')).toBeUndefined();
  });

  it('imports a file larger than a form body may be (over 1 MiB)', async () => {
    const rows = Array.from({ length: 40_000 }, (_, i) => `bulk${i}@example.org,Bulk Reader ${i}`);
    const csv = `email,name\n${rows.join('\n')}\n`;
    expect(csv.length).toBeGreaterThan(1_048_576);
    const report = await upload(csv);
    expect(report.status).toBe(200);
    expect(report.body).toContain('list.csv: 40000 imported, 0 updated, 0 skipped.');
  });

  it('refuses a file over the limit with 413, importing none of it', async () => {
    const rows = Array.from({ length: 80_000 }, (_, i) => `huge${i}@example.org,Huge Reader ${i}`);
    const refused = await upload(`email,name\n${rows.join('\n')}\n`);
    expect(refused.status).toBe(413);
    expect(refused.body).toContain('The file is larger than 2 MiB: nothing was imported.');
    expect(await reader('huge0@example.org')).toBeUndefined();
  });

  it('imports only with the CSRF token and as a publisher', async () => {
    expect((await upload('email\nnotoken@example.org\n', { csrf: false })).status).toBe(403);
    expect((await upload('email\nbyeditor@example.org\n', { as: editor })).status).toBe(403);
    expect(await reader('notoken@example.org')).toBeUndefined();
    expect(await reader('byeditor@example.org')).toBeUndefined();
    const bad = await upload('name\nNo address column\n');
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('no email column in the header row');
  });

  it('exports the list as CSV, formula cells neutralised', async () => {
    const page = await publisher.get(LIST);
    await publisher.post(
      `${LIST}/add`,
      { email: 'formula@example.org', name: '=HYPERLINK("http://evil")', consent: 'on the phone, recorded' },
      page.body,
    );
    const response = await fetch(`${admin.base}${LIST}/export?status=confirmed`, {
      headers: { cookie: publisher.cookie },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="global-eye-subscribers-confirmed-\d{4}-\d\d-\d\d\.csv"$/,
    );
    const csv = await response.text();
    expect(csv.split('\n')[0]).toBe(
      'email,name,status,source,created_at,updated_at,confirmed_at,consent_method,consent_evidence,unsubscribed_at,language,format,pdf',
    );
    expect(csv).toContain(`formula@example.org,"'=HYPERLINK(""http://evil"")",confirmed,admin,`);
    expect(csv).not.toContain('reader5@example.org');
  });
});

/** A multipart upload as the import form sends it. */
async function upload(
  csv: string,
  options: { as?: AdminClient; csrf?: boolean } = {},
): Promise<{ status: number; body: string }> {
  const client = options.as ?? publisher;
  const page = await client.get(LIST);
  const form = new FormData();
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  if (options.csrf !== false) form.set('_csrf', token);
  form.set('status', 'confirmed');
  form.set('file', new Blob([csv], { type: 'text/csv' }), 'list.csv');
  const response = await fetch(`${admin.base}${LIST}/import`, {
    method: 'POST',
    headers: { cookie: client.cookie },
    body: form,
    redirect: 'manual',
  });
  return { status: response.status, body: await response.text() };
}
