// The editors' view of a list: readers found by any part of the address and by status, a page at
// a time; one reader's record and history; and the plans behind them, index-bound among many
// readers (checked with EXPLAIN on the statements the code runs, as test/campaigns/plans does).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCampaign } from '../../src/campaigns/store.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import { findSubscribers, subscriberRecord } from '../../src/subscribers/directory.ts';
import { recordEvent, unsubscribeBy } from '../../src/subscribers/editors.ts';
import {
  confirmSubscription,
  countByStatus,
  eraseSubscriber,
  requestChange,
  requestSubscription,
  unsubscribe,
} from '../../src/subscribers/store.ts';
import { campaignOf, seedReaders } from '../support/campaigns.ts';
import { capturePlans, indexTables, type Scan, scans } from '../support/plans.ts';
import { type PostgresServer, startPostgres } from '../support/postgres.ts';
import { storeBackends } from '../support/stores.ts';

const now = new Date('2026-01-15T10:00:00Z');
const later = new Date('2026-01-16T10:00:00Z');
const editor = { actor: 'ann', now: later };

describe.each(storeBackends())('the directory on $name', ({ open }) => {
  let db: Db;
  let n = 0;
  const list = () => `dir-${++n}`;
  beforeAll(async () => {
    db = await open();
  });

  async function readers(publication: string, emails: string[]) {
    const made = [];
    for (const email of emails)
      made.push(await requestSubscription(db, { publication, email, source: 'web', now }));
    return made;
  }

  it('finds readers by any part of the address, case-blind, newest first', async () => {
    const publication = list();
    await readers(publication, ['Carol.Jones@example.org', 'dave@example.org', 'carolina@Example.ORG']);
    const page = await findSubscribers(db, publication, { search: 'CAROL' });
    expect(page.matching).toBe('anywhere');
    expect(page.subscribers.map((s) => s.email)).toEqual(['carolina@Example.ORG', 'Carol.Jones@example.org']);
    expect((await findSubscribers(db, publication, { search: 'jones@exa' })).subscribers).toHaveLength(1);
    expect((await findSubscribers(db, publication, { search: 'nobody' })).subscribers).toEqual([]);
  });

  it('takes LIKE wildcards in a search literally', async () => {
    const publication = list();
    await readers(publication, ['a_b@example.org', 'axb@example.org', '100%@example.org']);
    expect(
      (await findSubscribers(db, publication, { search: 'a_b' })).subscribers.map((s) => s.email),
    ).toEqual(['a_b@example.org']);
    expect(
      (await findSubscribers(db, publication, { search: '%@e' })).subscribers.map((s) => s.email),
    ).toEqual(['100%@example.org']);
  });

  it('asks for three characters or more before searching', async () => {
    const publication = list();
    await readers(publication, ['ab@example.org']);
    expect(await findSubscribers(db, publication, { search: 'ab' })).toMatchObject({
      subscribers: [],
      tooShort: true,
    });
  });

  it('filters by status and pages by keyset without skipping or repeating anyone', async () => {
    const publication = list();
    const made = await readers(
      publication,
      Array.from({ length: 7 }, (_, i) => `reader${i}@example.org`),
    );
    await unsubscribe(db, made[3]?.id ?? 0, now);
    const seen: string[] = [];
    let before: number | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await findSubscribers(db, publication, { status: 'pending', limit: 2, before });
      seen.push(...page.subscribers.map((s) => s.email));
      before = page.next;
      if (!before) break;
    }
    expect(seen).toEqual(
      ['reader6', 'reader5', 'reader4', 'reader2', 'reader1', 'reader0'].map((r) => `${r}@example.org`),
    );
    expect((await findSubscribers(db, publication, { status: 'unsubscribed' })).subscribers).toHaveLength(1);
    expect(await countByStatus(db, publication)).toMatchObject({ pending: 6, unsubscribed: 1, confirmed: 0 });
  });

  it("shows only the publication's own readers", async () => {
    const publication = list();
    await readers(list(), ['elsewhere@example.org']);
    expect((await findSubscribers(db, publication, { search: 'elsewhere' })).subscribers).toEqual([]);
    const [other] = await readers(list(), ['other@example.org']);
    expect(await subscriberRecord(db, publication, other?.id ?? 0)).toBeUndefined();
  });

  it("a reader's record: consent, changes, what editors did and who, issues and automatic mail, in order", async () => {
    const publication = list();
    const [s] = await readers(publication, ['rec@example.org']);
    if (!s) throw new Error('no reader');
    const confirmed = await confirmSubscription(db, s.id, { method: 'web', evidence: '192.0.2.7', now });
    if (!confirmed) throw new Error('not confirmed');
    await requestChange(db, confirmed, {
      name: 'Rex',
      requestedBy: 'web',
      now: new Date('2026-01-15T11:00:00Z'),
    });
    await db.query(
      "INSERT INTO automatic_mail (mailbox, publication, kind, sent_at) VALUES ('rec@example.org', $1, 'welcome', $2)",
      [publication, new Date('2026-01-15T10:00:01Z')],
    );
    await db.query('UPDATE subscribers SET imported_consent = \'{"optin_ip": "192.0.2.8"}\' WHERE id = $1', [
      s.id,
    ]);
    await unsubscribeBy(db, publication, s.id, editor);
    const record = await subscriberRecord(db, publication, s.id);
    expect(record?.subscriber).toMatchObject({ status: 'unsubscribed', consentEvidence: '192.0.2.7' });
    expect(record?.importedConsent).toEqual({ optin_ip: '192.0.2.8' });
    expect(record?.history.map((h) => [h.what, h.by ?? '', h.detail ?? ''])).toEqual([
      ['asked to join on the web form', '', ''],
      ['confirmed', '', 'web: 192.0.2.7'],
      ['automatic mail: welcome', '', ''],
      ['name change to "Rex" asked (web)', '', ''],
      ['unsubscribed', '', ''],
      ['unsubscribed', 'ann', ''],
    ]);
  });

  it('an editor cannot unsubscribe a reader of another publication through this one', async () => {
    const [s] = await readers(list(), ['x@example.org']);
    await confirmSubscription(db, s?.id ?? 0, { method: 'web', evidence: '192.0.2.7', now });
    expect(await unsubscribeBy(db, list(), s?.id ?? 0, editor)).toBeUndefined();
    await recordEvent(db, s?.id ?? 0, editor, { action: 'looked' });
    expect((await subscriberRecord(db, s?.publication ?? '', s?.id ?? 0))?.subscriber.status).toBe(
      'confirmed',
    );
  });
});

describe('the directory without pg_trgm', () => {
  let postgres: PostgresServer;
  let db: Db;
  beforeAll(async () => {
    postgres = await startPostgres();
    db = openPostgres(await postgres.createDatabase());
    await migrate(db);
    // As a server without the extension ends up after migration 230.
    await db.query('DROP INDEX subscribers_mailbox_trigrams');
    await db.query(
      'CREATE INDEX subscribers_mailbox_prefix ON subscribers (publication, lower(email) text_pattern_ops)',
    );
  });
  afterAll(async () => {
    await db?.close();
    await postgres?.stop();
  });

  it('searches by the start of the address, through the prefix index', async () => {
    await seedReaders(db, 5000);
    const { db: watched, plans } = capturePlans(db);
    const page = await findSubscribers(watched, 'global-eye', { search: 'Reader123' });
    expect(page.matching).toBe('start');
    expect(page.subscribers.map((s) => s.email).sort()).toEqual(
      ['reader123', ...Array.from({ length: 10 }, (_, i) => `reader123${i}`)]
        .map((r) => `${r}@example.org`)
        .sort(),
    );
    expect((await findSubscribers(db, 'global-eye', { search: 'eader123' })).subscribers).toEqual([]);
    const used = plans.flatMap((p) => scans(p.plan, new Map()).map((s) => s.index ?? s.type));
    expect(used).toContain('subscribers_mailbox_prefix');
  });
});

/** 50,000 by default (a sequential scan is cheaper than any index below about 30,000); DIRECTORY_READERS=1000000 for a million. */
const READERS = Number(process.env.DIRECTORY_READERS ?? 50_000);

describe(`the directory among ${READERS.toLocaleString('en')} readers reads through indexes`, () => {
  let postgres: PostgresServer;
  let db: Db;
  let indexes: Map<string, string>;
  beforeAll(
    async () => {
      postgres = await startPostgres();
      db = openPostgres(await postgres.createDatabase());
      await migrate(db);
      await db.query('ALTER TABLE subscribers SET (autovacuum_enabled = false)');
      await seedReaders(db, READERS);
      await seedReaders(db, READERS / 10, 'other');
      await db.query("UPDATE subscribers SET status = 'unsubscribed' WHERE id % 20 = 0");
      await createCampaign(db, campaignOf(1, 100), now);
      await createCampaign(db, campaignOf(2, 100), later);
      indexes = await indexTables(db);
    },
    120_000 + READERS / 10,
  );
  afterAll(async () => {
    await db?.close();
    await postgres?.stop();
  });

  /**
   * Every read of subscribers, deliveries and the others: an index scan bound to the publication
   * or one row, the trigram index, or (for a page) the primary key in id order, which stops at the
   * page's end: PostgreSQL's choice for a list that is most of the table.
   */
  async function expectIndexBound(work: (watched: Db) => Promise<unknown>) {
    const { db: watched, plans } = capturePlans(db);
    await work(watched);
    const found = plans.flatMap(({ sql, plan }) => scans(plan, indexes).map((scan) => ({ sql, scan })));
    expect(found.length).toBeGreaterThan(0);
    const describe = (s: Scan) => `${s.type} on ${s.table} using ${s.index} pinning ${s.pinned.join(', ')}`;
    for (const { sql, scan } of found) {
      // A few rows each: the publication's campaigns, erasures, rows merged by migration 110.
      if (['campaigns', 'erased_mailboxes', 'merged_subscribers'].includes(scan.table)) continue;
      expect(scan.type, `${describe(scan)} in ${sql}`).not.toBe('Seq Scan');
      const bound =
        scan.index === 'subscribers_mailbox_trigrams' ||
        (scan.index === 'subscribers_pkey' && /ORDER BY id DESC LIMIT/.test(sql)) ||
        scan.pinned.includes('id') ||
        scan.pinned.includes('subscriber_id') ||
        scan.pinned.includes('publication') ||
        scan.pinned.includes('mailbox');
      expect(bound, `${describe(scan)} in ${sql}`).toBe(true);
    }
    return found.map((f) => f.scan);
  }

  it('pages and filters a list, large or small, through indexes (statistics or none)', async () => {
    for (const analysed of [false, true]) {
      if (analysed) await db.query('ANALYZE subscribers');
      await expectIndexBound(async (watched) => {
        const first = await findSubscribers(watched, 'global-eye', {});
        expect(first.subscribers).toHaveLength(50);
        expect(first.subscribers[0]?.email).toBe(`reader${READERS}@example.org`);
        await findSubscribers(watched, 'global-eye', { before: first.next });
        await findSubscribers(watched, 'global-eye', { status: 'confirmed', before: first.next });
        await findSubscribers(watched, 'other', { status: 'unsubscribed' });
        const small = await findSubscribers(watched, 'other', {});
        expect(small.subscribers[0]?.email).toBe(`reader${READERS / 10}@example.org`);
      });
    }
  });

  it('searches through the trigram index', async () => {
    await db.query('ANALYZE subscribers');
    const used = await expectIndexBound(async (watched) => {
      const found = await findSubscribers(watched, 'global-eye', { search: 'der1234@' });
      expect(found.subscribers.map((s) => s.email)).toEqual(['reader1234@example.org']);
      await findSubscribers(watched, 'other', { search: 'der1234@', status: 'confirmed' });
    });
    expect(used.map((s) => s.index)).toContain('subscribers_mailbox_trigrams');
  });

  it("a reader's record and erasure: one lookup per campaign, never a campaign's every delivery", async () => {
    const { rows } = await db.query<{ id: number }>(
      "SELECT id FROM subscribers WHERE publication = 'global-eye' AND email = 'reader777@example.org'",
    );
    const id = Number(rows[0]?.id);
    const used = await expectIndexBound(async (watched) => {
      const record = await subscriberRecord(watched, 'global-eye', id);
      expect(record?.history.filter((h) => h.what.startsWith('issue ')).map((h) => h.what)).toEqual([
        'issue 001: queued',
        'issue 002: queued',
      ]);
      expect(await eraseSubscriber(watched, 'global-eye', 'READER777@example.org', editor)).toBe(true);
    });
    expect(
      used.filter((s) => s.table === 'deliveries').every((s) => s.pinned.includes('subscriber_id')),
    ).toBe(true);
    const { rows: kept } = await db.query<{ email: string }>(
      'SELECT email FROM deliveries WHERE subscriber_id = $1',
      [id],
    );
    expect(kept).toEqual([{ email: '(erased)' }, { email: '(erased)' }]);
  });
});
