import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.ts';
import {
  addConfirmed,
  confirmSubscription,
  countByStatus,
  eraseSubscriber,
  findSubscriber,
  recordBounce,
  requestChange,
  requestSubscription,
  streamSubscribers,
  unsubscribe,
} from '../../src/subscribers/store.ts';
import { storeBackends } from '../support/stores.ts';

const now = new Date('2026-01-15T10:00:00Z');
const later = new Date('2026-01-16T10:00:00Z');

describe.each(storeBackends())('subscribers on $name', ({ open }) => {
  let db: Db;
  let n = 0;
  /** Each test works in its own publication of the one database. */
  const list = () => `list-${++n}`;
  beforeAll(async () => {
    db = await open();
  });

  it('a request creates a pending subscriber with its source', async () => {
    const publication = list();
    const s = await requestSubscription(db, {
      publication,
      email: 'a@example.org',
      name: 'Ann',
      source: 'email',
      now,
    });
    expect(s).toMatchObject({ status: 'pending', source: 'email', name: 'Ann', confirmedAt: null });
  });

  it('a second request changes nothing, whatever the status', async () => {
    const publication = list();
    const s = await requestSubscription(db, { publication, email: 'a@example.org', source: 'email', now });
    await unsubscribe(db, s.id, now);
    const again = await requestSubscription(db, {
      publication,
      email: 'a@example.org',
      source: 'web',
      now: later,
    });
    expect(again).toMatchObject({ id: s.id, status: 'unsubscribed', source: 'email' });
  });

  it('confirming records the consent: method, evidence and time', async () => {
    const publication = list();
    const s = await requestSubscription(db, { publication, email: 'a@example.org', source: 'email', now });
    const c = await confirmSubscription(db, s.id, {
      method: 'email-reply',
      evidence: '<m1@example.org>',
      now: later,
    });
    expect(c).toMatchObject({
      status: 'confirmed',
      consentMethod: 'email-reply',
      consentEvidence: '<m1@example.org>',
    });
    expect(c?.confirmedAt?.toISOString()).toBe(later.toISOString());
    expect(await confirmSubscription(db, s.id, { method: 'web', evidence: '10.0.0.1', now })).toBeUndefined();
  });

  it('unsubscribing changes the status and keeps the row', async () => {
    const publication = list();
    const s = await requestSubscription(db, { publication, email: 'a@example.org', source: 'email', now });
    await confirmSubscription(db, s.id, { method: 'web', evidence: '10.0.0.1', now });
    expect(await unsubscribe(db, s.id, later)).toMatchObject({ status: 'unsubscribed' });
    expect(await unsubscribe(db, s.id, later)).toBeUndefined();
    expect(await findSubscriber(db, publication, 'a@example.org')).toMatchObject({
      status: 'unsubscribed',
      confirmedAt: now,
    });
  });

  it('the same address on two publications is two subscribers', async () => {
    const a = await requestSubscription(db, {
      publication: list(),
      email: 'a@example.org',
      source: 'email',
      now,
    });
    const b = await requestSubscription(db, {
      publication: list(),
      email: 'a@example.org',
      source: 'email',
      now,
    });
    expect(a.id).not.toBe(b.id);
  });

  it('an administrator cannot re-add someone who unsubscribed', async () => {
    const publication = list();
    const s = await requestSubscription(db, { publication, email: 'a@example.org', source: 'email', now });
    await unsubscribe(db, s.id, now);
    const add = { publication, email: 'a@example.org', evidence: 'cli', now };
    expect((await addConfirmed(db, add)).result).toBe('opted-out');
    expect((await addConfirmed(db, { ...add, email: 'new@example.org' })).result).toBe('added');
    expect((await addConfirmed(db, { ...add, email: 'new@example.org' })).result).toBe('unchanged');
  });

  it('a change waiting for its owner is dropped once its link has expired; a confirmed one stays', async () => {
    const publication = list();
    const s = await requestSubscription(db, { publication, email: 'c@example.org', source: 'email', now });
    const long = new Date(now.getTime() - 8 * 86_400_000);
    const stale = await requestChange(db, s, { name: 'Old', requestedBy: 'web', now: long });
    const kept = await requestChange(db, s, { name: 'Kept', requestedBy: 'web', now: long });
    await db.query('UPDATE subscriber_changes SET confirmed_at = $2 WHERE id = $1', [kept.id, long]);
    const fresh = await requestChange(db, s, { name: 'New', requestedBy: 'web', now });
    const { rows } = await db.query<{ id: string }>(
      'SELECT id FROM subscriber_changes WHERE subscriber_id = $1 ORDER BY id',
      [s.id],
    );
    expect(rows.map((r) => Number(r.id))).toEqual([kept.id, fresh.id]);
    expect(rows.map((r) => Number(r.id))).not.toContain(stale.id);
  });

  it('erase deletes the row; nothing else does', async () => {
    const publication = list();
    const s = await requestSubscription(db, { publication, email: 'a@example.org', source: 'email', now });
    await requestChange(db, s, { name: 'A New Name', requestedBy: 'web', now });
    expect(await eraseSubscriber(db, publication, 'a@example.org', { actor: 'test', now })).toBe(true);
    const { rows } = await db.query('SELECT 1 FROM subscriber_changes WHERE subscriber_id = $1', [s.id]);
    expect(rows).toEqual([]);
    expect(await findSubscriber(db, publication, 'a@example.org')).toBeUndefined();
    expect(await eraseSubscriber(db, publication, 'a@example.org', { actor: 'test', now })).toBe(false);
  });

  it('streams subscribers of one status in id order, page by page', async () => {
    const publication = list();
    for (let i = 0; i < 7; i++) {
      const s = await requestSubscription(db, {
        publication,
        email: `s${i}@example.org`,
        source: 'import',
        now,
      });
      if (i % 2 === 0) await confirmSubscription(db, s.id, { method: 'import', evidence: 'test', now });
    }
    const seen: string[] = [];
    for await (const s of streamSubscribers(db, publication, { status: 'confirmed', pageSize: 2 }))
      seen.push(s.email);
    expect(seen).toEqual(['s0@example.org', 's2@example.org', 's4@example.org', 's6@example.org']);
    expect(await countByStatus(db, publication)).toMatchObject({ confirmed: 4, pending: 3, unsubscribed: 0 });
  });

  it('a hard bounce marks the subscriber bounced; soft bounces add up to the threshold', async () => {
    const publication = list();
    const hard = await requestSubscription(db, {
      publication,
      email: 'hard@example.org',
      source: 'email',
      now,
    });
    expect(await recordBounce(db, hard.id, { hard: true, now })).toMatchObject({ status: 'bounced' });
    const soft = await requestSubscription(db, {
      publication,
      email: 'soft@example.org',
      source: 'email',
      now,
    });
    await confirmSubscription(db, soft.id, { method: 'web', evidence: 'x', now });
    for (let i = 1; i < 3; i++) {
      expect(await recordBounce(db, soft.id, { hard: false, now, threshold: 3 })).toMatchObject({
        status: 'confirmed',
        bounceScore: i,
      });
    }
    expect(await recordBounce(db, soft.id, { hard: false, now, threshold: 3 })).toMatchObject({
      status: 'bounced',
    });
  });
});
