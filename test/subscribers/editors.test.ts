// What an editor may do to a list, and what stays the reader's alone: an invitation is a
// confirmation mail, a confirmed add needs the consent's record, an erasure keeps only the
// mailbox's digest and no import or add brings the person back; only the owner can.

import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addWithConsent, importBy, inviteSubscriber, unsubscribeBy } from '../../src/subscribers/editors.ts';
import {
  confirmSubscription,
  erasedAt,
  eraseSubscriber,
  findSubscriber,
  mailboxDigest,
  requestSubscription,
} from '../../src/subscribers/store.ts';
import { type ListFixture, listFixture } from '../support/list-fixture.ts';

const now = new Date('2026-03-01T09:00:00Z');
const ann = { actor: 'ann', now };

describe('editors and the list', () => {
  let fx: ListFixture;
  beforeAll(async () => {
    fx = await listFixture();
  });
  afterAll(async () => {
    await fx?.close();
  });
  const globalEye = () => fx.list('global-eye');
  const events = async (id: number) =>
    (
      await fx.db.query<{ actor: string; action: string; detail: string | null }>(
        'SELECT actor, action, detail FROM subscriber_events WHERE subscriber_id = $1 ORDER BY id',
        [id],
      )
    ).rows;

  it('an invitation makes a pending reader and mails them the confirmation; no confirmed reader without them', async () => {
    const before = fx.sent.length;
    const invited = await inviteSubscriber(
      fx.db,
      fx.actions,
      globalEye(),
      { address: 'new.reader@example.org', name: 'New Reader' },
      ann,
    );
    expect(invited).toMatchObject({ result: 'invited', subscriber: { status: 'pending', source: 'admin' } });
    const mail = fx.sent.slice(before);
    expect(mail.map((m) => m.to)).toEqual(['new.reader@example.org']);
    expect(mail[0]?.text).toContain('/confirm/');
    if (invited.result !== 'invited') throw new Error('not invited');
    expect(await events(invited.subscriber.id)).toEqual([
      { actor: 'ann', action: 'invited (confirmation mailed)', detail: null },
    ]);
  });

  it('an invitation to a reader still pending mails the confirmation again, within the cap', async () => {
    const s = await requestSubscription(fx.db, {
      publication: 'global-eye',
      email: 'slow@example.org',
      source: 'web',
      now,
    });
    const before = fx.sent.length;
    const first = await inviteSubscriber(
      fx.db,
      fx.actions,
      globalEye(),
      { address: 'slow@example.org' },
      ann,
    );
    expect(first).toMatchObject({ result: 'reminded', subscriber: { id: s.id, status: 'pending' } });
    expect(fx.sent.slice(before).map((m) => m.to)).toEqual(['slow@example.org']);
    // One confirmation per address, list and day: a second click mails nobody.
    await inviteSubscriber(fx.db, fx.actions, globalEye(), { address: 'slow@example.org' }, ann);
    expect(fx.sent.length).toBe(before + 1);
    expect(await events(s.id)).toEqual([
      { actor: 'ann', action: 'confirmation mailed again', detail: null },
      { actor: 'ann', action: 'confirmation mailed again', detail: null },
    ]);
  });

  it('an invitation leaves a reader already on the list alone and mails nobody', async () => {
    const s = await requestSubscription(fx.db, {
      publication: 'global-eye',
      email: 'left@example.org',
      source: 'web',
      now,
    });
    await unsubscribeBy(fx.db, 'global-eye', s.id, ann);
    const before = fx.sent.length;
    const again = await inviteSubscriber(
      fx.db,
      fx.actions,
      globalEye(),
      { address: 'LEFT@example.org' },
      ann,
    );
    expect(again).toMatchObject({ result: 'present', subscriber: { status: 'unsubscribed' } });
    expect((await findSubscriber(fx.db, 'global-eye', 'left@example.org'))?.status).toBe('unsubscribed');
    expect(fx.sent.length).toBe(before);
  });

  it('a confirmed add records who vouched and the consent given elsewhere; never over an opt-out', async () => {
    const added = await addWithConsent(
      fx.db,
      {
        publication: 'global-eye',
        email: 'paper@example.org',
        consent: 'signed form, Geneva fair, 2026-02-27',
      },
      ann,
    );
    expect(added.result).toBe('added');
    expect(added.subscriber).toMatchObject({
      status: 'confirmed',
      source: 'admin',
      consentMethod: 'admin',
      consentEvidence: 'ann: signed form, Geneva fair, 2026-02-27',
    });
    expect(await events(added.subscriber?.id ?? 0)).toEqual([
      { actor: 'ann', action: 'added as confirmed', detail: 'signed form, Geneva fair, 2026-02-27' },
    ]);
    const s = await requestSubscription(fx.db, {
      publication: 'global-eye',
      email: 'gone@example.org',
      source: 'web',
      now,
    });
    await confirmSubscription(fx.db, s.id, { method: 'web', evidence: '192.0.2.1', now });
    await unsubscribeBy(fx.db, 'global-eye', s.id, ann);
    const refused = await addWithConsent(
      fx.db,
      { publication: 'global-eye', email: 'gone@example.org', consent: 'said so on the phone' },
      ann,
    );
    expect(refused.result).toBe('opted-out');
    expect((await findSubscriber(fx.db, 'global-eye', 'gone@example.org'))?.status).toBe('unsubscribed');
    expect(await events(s.id)).toEqual([{ actor: 'ann', action: 'unsubscribed', detail: null }]);
  });

  it('an erasure keeps only the digest: no import, invitation or add brings the address back', async () => {
    await importBy(
      fx.db,
      Readable.from(['email,name\nErased.Person@example.org,Erased Person\n']),
      { publication: 'global-eye', filename: 'fair.csv' },
      ann,
    );
    const s = await findSubscriber(fx.db, 'global-eye', 'erased.person@example.org');
    expect(s?.consentEvidence).toBe('import of fair.csv (uploaded by ann)');
    await unsubscribeBy(fx.db, 'global-eye', s?.id ?? 0, ann);
    expect(
      await eraseSubscriber(fx.db, 'global-eye', 'erased.person@EXAMPLE.org', { actor: 'pat', now }),
    ).toBe(true);
    const left = async (sql: string, params: unknown[]) => (await fx.db.query(sql, params)).rows;
    expect(await left('SELECT * FROM subscriber_events WHERE subscriber_id = $1', [s?.id])).toEqual([]);
    expect(
      await left("SELECT * FROM subscribers WHERE lower(email) = 'erased.person@example.org'", []),
    ).toEqual([]);
    const { rows: kept } = await fx.db.query('SELECT * FROM erased_mailboxes WHERE publication = $1', [
      'global-eye',
    ]);
    expect(kept).toEqual([
      {
        publication: 'global-eye',
        mailbox_sha256: mailboxDigest('erased.person@example.org'),
        erased_at: now,
        erased_by: 'pat',
      },
    ]);
    expect(JSON.stringify(kept)).not.toContain('erased.person');

    const report = await importBy(
      fx.db,
      Readable.from(['email,status\nERASED.PERSON@example.org,confirmed\nother@example.org,confirmed\n']),
      { publication: 'global-eye', filename: 'old-list.csv' },
      ann,
    );
    expect(report).toMatchObject({ imported: 1, skipped: 1 });
    expect([...report.reasons.keys()]).toEqual([
      "erased earlier at its owner's request; only the subscriber can subscribe again",
    ]);
    expect(await findSubscriber(fx.db, 'global-eye', 'erased.person@example.org')).toBeUndefined();
    const before = fx.sent.length;
    expect(
      await inviteSubscriber(fx.db, fx.actions, globalEye(), { address: 'erased.person@example.org' }, ann),
    ).toEqual({ result: 'erased', erasedAt: now });
    expect(fx.sent.length).toBe(before);
    const add = { publication: 'global-eye', email: 'erased.person@example.org', consent: 'a form' };
    expect((await addWithConsent(fx.db, add, ann)).result).toBe('erased');
    // Someone else asks on the web form: still only the owner can confirm it.
    await fx.actions.requestSubscription(
      globalEye(),
      { address: 'erased.person@example.org' },
      { source: 'web' },
    );
    expect((await addWithConsent(fx.db, add, ann)).result).toBe('erased');
    expect((await findSubscriber(fx.db, 'global-eye', 'erased.person@example.org'))?.status).toBe('pending');
    // The owner confirms: a reader again, and an import may update them like anyone else.
    const back = await findSubscriber(fx.db, 'global-eye', 'erased.person@example.org');
    await confirmSubscription(fx.db, back?.id ?? 0, { method: 'web', evidence: '192.0.2.9', now });
    const update = await importBy(
      fx.db,
      Readable.from(['email,name\nerased.person@example.org,Back Again\n']),
      { publication: 'global-eye', filename: 'names.csv' },
      ann,
    );
    expect(update).toMatchObject({ updated: 1, skipped: 0 });
    expect(await erasedAt(fx.db, 'other-publication', 'erased.person@example.org')).toBeUndefined();
  });

  it("an erasure of one publication's reader leaves the same address on another publication", async () => {
    for (const publication of ['global-eye', 'trafficking-in-migrants']) {
      await requestSubscription(fx.db, { publication, email: 'both@example.org', source: 'web', now });
    }
    await eraseSubscriber(fx.db, 'global-eye', 'both@example.org', ann);
    expect(await findSubscriber(fx.db, 'global-eye', 'both@example.org')).toBeUndefined();
    expect(await findSubscriber(fx.db, 'trafficking-in-migrants', 'both@example.org')).toBeDefined();
    const invited = await inviteSubscriber(
      fx.db,
      fx.actions,
      fx.list('trafficking-in-migrants'),
      { address: 'both@example.org' },
      ann,
    );
    expect(invited.result).toBe('reminded');
  });
});
