// Contributions as the editors read them: newest first a page at a time, waiting or handled (by
// whom, when), one message with its attachments, each attachment only through its own
// publication's contribution, and file names that cannot climb out of a folder or hide.

import { beforeAll, describe, expect, it } from 'vitest';
import {
  getAttachment,
  getContribution,
  listContributions,
  markHandled,
  safeAttachmentName,
  saveContribution,
} from '../../src/inbound/contributions.ts';
import type { Db } from '../../src/store/db.ts';
import { storeBackends } from '../support/stores.ts';

const received = new Date('2026-04-01T08:00:00Z');

describe.each(storeBackends())('contributions on $name', ({ open }) => {
  let db: Db;
  let n = 0;
  const publication = () => `contrib-${++n}`;
  const save = (pub: string, subject: string, attachments: { filename?: string; content: string }[] = []) =>
    saveContribution(db, {
      publication: pub,
      receivedAt: received,
      envelopeFrom: 'writer@example.org',
      fromAddress: 'writer@example.org',
      fromName: 'A Writer',
      subject,
      text: `About ${subject}.`,
      raw: Buffer.from(`Subject: ${subject}\r\n\r\nAbout ${subject}.\r\n`),
      attachments: attachments.map((a) => ({
        filename: a.filename,
        contentType: 'text/html',
        content: Buffer.from(a.content),
      })),
    });
  beforeAll(async () => {
    db = await open();
  });

  it('lists newest first, a page at a time, waiting or handled', async () => {
    const pub = publication();
    const ids: number[] = [];
    for (const subject of ['one', 'two', 'three', 'four']) ids.push(await save(pub, subject));
    const [one, two, three, four] = ids as [number, number, number, number];
    const firstPage = await listContributions(db, pub, 2);
    expect(firstPage.map((c) => c.subject)).toEqual(['four', 'three']);
    const next = await listContributions(db, pub, 2, { before: firstPage.at(-1)?.id });
    expect(next.map((c) => c.subject)).toEqual(['two', 'one']);

    expect(await markHandled(db, pub, two, { by: 'ann', now: received })).toBe(true);
    expect(await markHandled(db, pub, four, { by: 'ann', now: received })).toBe(true);
    expect((await listContributions(db, pub, 10, { handled: false })).map((c) => c.id)).toEqual([three, one]);
    const handled = await listContributions(db, pub, 10, { handled: true });
    expect(handled.map((c) => [c.id, c.handledBy, c.handledAt?.toISOString()])).toEqual([
      [four, 'ann', received.toISOString()],
      [two, 'ann', received.toISOString()],
    ]);
    expect(await markHandled(db, pub, four, false)).toBe(true);
    expect((await getContribution(db, pub, four))?.handledAt).toBeNull();
    // Another publication's number is not this one's.
    expect(await markHandled(db, publication(), one, { by: 'ann', now: received })).toBe(false);
  });

  it("an attachment comes only through its own publication's contribution", async () => {
    const pub = publication();
    const id = await save(pub, 'with files', [
      { filename: '../../etc/passwd', content: 'root:x:0:0' },
      { filename: 'page.html', content: '<script>alert(1)</script>' },
    ]);
    const other = await save(publication(), 'elsewhere', [{ filename: 'x.txt', content: 'x' }]);
    const contribution = await getContribution(db, pub, id);
    const [first, second] = contribution?.attachmentList ?? [];
    expect(contribution?.attachmentList.map((a) => [a.filename, a.size])).toEqual([
      ['../../etc/passwd', 10],
      ['page.html', 25],
    ]);
    expect((await getAttachment(db, pub, id, second?.id ?? 0))?.content.toString()).toBe(
      '<script>alert(1)</script>',
    );
    const foreign = (await getContribution(db, `contrib-${n}`, other))?.attachmentList[0]?.id ?? 0;
    expect(foreign).toBeGreaterThan(0);
    expect(await getAttachment(db, pub, id, foreign)).toBeUndefined();
    expect(await getAttachment(db, `contrib-${n}`, id, first?.id ?? 0)).toBeUndefined();
  });

  it('file names are made safe to save', () => {
    expect(safeAttachmentName('../../etc/passwd', 'attachment')).toBe('passwd');
    expect(safeAttachmentName('.bashrc', 'attachment')).toBe('bashrc');
    expect(safeAttachmentName('re"port\r\n.pdf', 'attachment')).toBe('re_port_.pdf');
    expect(safeAttachmentName('Käse & Brot.txt', 'attachment')).toBe('Käse _ Brot.txt');
    expect(safeAttachmentName(null, 'attachment-3')).toBe('attachment-3');
    expect(safeAttachmentName('...', 'attachment')).toBe('attachment');
  });
});
