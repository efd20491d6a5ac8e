// Migration 110 on a store that already holds one mailbox twice (carol@ and CAROL@): the rows are
// merged into one reader, no consent record or history is lost, and old links still work.

import { copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import type { Db } from '../../src/store/db.ts';
import { MIGRATIONS_DIR, migrate } from '../../src/store/migrate.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import { createListActions } from '../../src/subscribers/actions.ts';
import { loadLists } from '../../src/subscribers/lists.ts';
import { findSubscriber } from '../../src/subscribers/store.ts';
import { createTokens } from '../../src/tokens.ts';
import { tempDataDir } from '../support/data-dir.ts';
import { type PostgresServer, startPostgres } from '../support/postgres.ts';

const before = tempDataDir();
for (const file of readdirSync(MIGRATIONS_DIR).filter((f) => f < '110')) {
  copyFileSync(join(MIGRATIONS_DIR, file), join(before.dir, file));
}
let postgres: PostgresServer | undefined;
afterAll(async () => {
  before.remove();
  await postgres?.stop();
});

const backends: { name: string; open(): Promise<Db> }[] = [
  {
    name: 'PostgreSQL',
    open: async () => {
      postgres ??= await startPostgres();
      return openPostgres(await postgres.createDatabase());
    },
  },
];

async function insert(db: Db, row: Record<string, unknown>): Promise<number> {
  const columns = Object.keys(row);
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO subscribers (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
    Object.values(row),
  );
  return Number(rows[0]?.id);
}

const base = { publication: 'global-eye', source: 'web', updated_at: '2025-06-01T00:00:00Z' };

describe.each(backends)('merging one mailbox written twice, on $name', ({ open }) => {
  let db: Db;
  beforeAll(async () => {
    db = await open();
    await migrate(db, before.dir);
  });
  afterAll(() => db.close());

  it('keeps one row per mailbox, the owner’s latest word, the consent record, and every absorbed row', async () => {
    const carol = await insert(db, {
      ...base,
      email: 'carol@example.com',
      name: 'Carol',
      status: 'confirmed',
      created_at: '2024-01-01T00:00:00Z',
      confirmed_at: '2024-01-02T00:00:00Z',
      consent_method: 'web',
      consent_evidence: 'confirm page from 192.0.2.1',
    });
    const shouting = await insert(db, {
      ...base,
      email: 'CAROL@example.com',
      status: 'unsubscribed',
      created_at: '2024-03-01T00:00:00Z',
      confirmed_at: null,
      unsubscribed_at: '2025-05-01T00:00:00Z',
    });
    // A complaint wins over a later confirmation: the mailbox's owner said stop.
    await insert(db, {
      ...base,
      email: 'dan@example.com',
      status: 'confirmed',
      created_at: '2024-01-01T00:00:00Z',
      confirmed_at: '2025-01-01T00:00:00Z',
      consent_method: 'email-reply',
      consent_evidence: 'reply <x@dan>',
    });
    const complained = await insert(db, {
      ...base,
      email: 'Dan@Example.com',
      status: 'complained',
      created_at: '2023-01-01T00:00:00Z',
    });
    // A pending request never wins over a confirmed reader.
    const reader = await insert(db, {
      ...base,
      email: 'eve@example.com',
      status: 'confirmed',
      created_at: '2024-01-01T00:00:00Z',
      confirmed_at: '2024-01-01T00:00:00Z',
      consent_method: 'cli',
      consent_evidence: 'test',
    });
    await insert(db, {
      ...base,
      email: 'EVE@example.com',
      status: 'pending',
      created_at: '2025-01-01T00:00:00Z',
    });

    expect(await migrate(db)).toEqual(expect.arrayContaining(['110_one_mailbox_one_reader.sql']));

    const { rows } = await db.query<{ email: string; status: string }>(
      'SELECT email, status FROM subscribers ORDER BY lower(email)',
    );
    expect(rows).toEqual([
      { email: 'CAROL@example.com', status: 'unsubscribed' },
      { email: 'Dan@Example.com', status: 'complained' },
      { email: 'eve@example.com', status: 'confirmed' },
    ]);
    const merged = await findSubscriber(db, 'global-eye', 'carol@EXAMPLE.com');
    expect(merged).toMatchObject({
      id: shouting,
      name: 'Carol',
      createdAt: new Date('2024-01-01T00:00:00Z'),
      consentMethod: 'web',
      consentEvidence: 'confirm page from 192.0.2.1',
    });
    expect(await findSubscriber(db, 'global-eye', 'dan@example.com')).toMatchObject({
      id: complained,
      consentEvidence: 'reply <x@dan>',
    });
    expect((await findSubscriber(db, 'global-eye', 'EVE@example.com'))?.id).toBe(reader);
    const absorbed = await db.query<{
      id: number;
      into_id: number;
      email: string;
      evidence: string | null;
    }>(
      `SELECT id, into_id, absorbed->>'email' AS email, absorbed->>'consent_evidence' AS evidence
       FROM merged_subscribers ORDER BY id`,
    );
    expect(absorbed.rows.map((r) => ({ ...r, id: Number(r.id), into_id: Number(r.into_id) }))).toEqual([
      { id: carol, into_id: shouting, email: 'carol@example.com', evidence: 'confirm page from 192.0.2.1' },
      expect.objectContaining({ into_id: complained, email: 'dan@example.com', evidence: 'reply <x@dan>' }),
      expect.objectContaining({ into_id: reader, email: 'EVE@example.com' }),
    ]);

    // An unsubscribe link sent to the absorbed row acts on the row that stands for the mailbox.
    const tokens = createTokens(Buffer.from('test-secret-test-secret-test-secret!'));
    const actions = createListActions({
      db,
      lists: loadLists('issues').lists,
      tokens,
      mailer: { enqueue: async () => {} },
      templates: { render: async () => ({ subject: '', text: '', html: '' }) },
      publicUrl: 'https://news.example.org',
      clock: systemClock,
      log: pino({ level: 'silent' }),
    });
    const link = tokens.sign('unsubscribe', {
      id: reader + 1,
      publication: 'global-eye',
      email: 'EVE@example.com',
    });
    const target = await actions.resolve(link, ['unsubscribe']);
    expect(target?.subscriber.id).toBe(reader);
    // A subscribe token of an absorbed row confirms nothing.
    const old = tokens.sign('subscribe', {
      id: carol,
      publication: 'global-eye',
      email: 'carol@example.com',
    });
    expect(await actions.resolve(old, ['subscribe'])).toBeUndefined();
  });
});
