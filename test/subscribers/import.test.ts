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
      'email,name,status,source,created_at,updated_at,confirmed_at,consent_method,consent_evidence,unsubscribed_at',
    );
    expect(first).toMatch(
      /^ann@example\.org,"Ann, ""the"" First",confirmed,import,2026-02-01T00:00:00\.000Z,/,
    );
    const copy = list();
    expect(await run(copy, csv)).toMatchObject({ imported: 2, skipped: 0 });
    expect(await findSubscriber(db, copy, 'bob@example.org')).toMatchObject({ status: 'unsubscribed' });
  });
});
