// The deliverer of one batch, on a real PostgreSQL ledger and a real SMTP sink: a batch is sent
// only by the worker whose claim holds it. A worker that learns (at a results write) that another
// claim took its batch over stops sending, and leaves the rest to the new holder.

import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresLedger } from '../../src/campaigns/postgres-ledger.ts';
import { createCampaign } from '../../src/campaigns/store.ts';
import { systemClock, testClock } from '../../src/clock.ts';
import { BatchDeliverer } from '../../src/delivery/batch-deliverer.ts';
import { CircuitBreaker } from '../../src/delivery/circuit-breaker.ts';
import { sendRateLimiter } from '../../src/delivery/send-rate-limiter.ts';
import type { Sender } from '../../src/outbound/sender.ts';
import { smtpPoolSender } from '../../src/outbound/smtp-pool.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import { createTokens } from '../../src/tokens.ts';
import { campaignOf, seedReaders } from '../support/campaigns.ts';
import { type PostgresServer, startPostgres } from '../support/postgres.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';

const READERS = 6;

let postgres: PostgresServer;
let sink: SmtpSink;
let pool: Sender;
let db: Db;

beforeAll(async () => {
  [postgres, sink] = await Promise.all([startPostgres(), startSmtpSink()]);
  pool = smtpPoolSender({ url: sink.url, connections: 1, messagesPerConnection: 100 });
  db = openPostgres(await postgres.createDatabase());
  await migrate(db);
  await seedReaders(db, READERS);
});

afterAll(async () => {
  await db?.close();
  await pool?.close();
  await Promise.all([sink?.stop(), postgres?.stop()]);
});

describe('a batch taken over by another claim', () => {
  it('is no longer sent by the worker that lost it; the rest stays queued for the new holder', async () => {
    const { campaign } = await createCampaign(db, campaignOf(1, READERS), new Date());
    const ledger = postgresLedger(db, { leaseMs: 60_000 });
    const other = postgresLedger(db, { leaseMs: 60_000 });
    let sent = 0;
    let takenOver: Promise<unknown> = Promise.resolve();
    // After the second message, this worker's lease runs out and another worker claims the batch.
    const sender: Sender = {
      async send(envelope, raw) {
        const result = await pool.send(envelope, raw);
        if (++sent === 2) {
          await db.query(
            `UPDATE campaign_batches SET lease_until = now() - interval '1 second' WHERE campaign_id = $1`,
            [campaign.id],
          );
          takenOver = other.claim(campaign.id, 0);
          expect(await takenOver).toMatchObject({ kind: 'claimed', lease: { claim: 2 } });
        }
        return result;
      },
      close: async () => {},
    };
    const deliverer = new BatchDeliverer({
      ledger,
      sender,
      tokens: createTokens(Buffer.from('deliverer-secret-deliverer-secret-000000')),
      clock: systemClock,
      rate: sendRateLimiter(0, systemClock),
      breaker: new CircuitBreaker(50),
      logger: pino({ level: 'silent' }),
      options: { sendConcurrency: 1, flushEvery: 1, flushIntervalMs: 60_000 },
    });

    expect(await deliverer.deliver(campaign.id, 0, { last: false })).toEqual({ kind: 'done', sent: 2 });
    await takenOver;
    expect(sink.messages).toHaveLength(2);
    // The two sent are recorded; the new holder finds the other four, under its own claim.
    const { rows } = await db.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM deliveries WHERE campaign_id = $1 GROUP BY status ORDER BY status`,
      [campaign.id],
    );
    expect(rows).toEqual([
      { status: 'queued', n: 4 },
      { status: 'sent', n: 2 },
    ]);
    const batch = await db.query('SELECT status, attempts FROM campaign_batches WHERE campaign_id = $1', [
      campaign.id,
    ]);
    expect(batch.rows).toEqual([{ status: 'submitting', attempts: 2 }]);
  });
});

describe('a batch of a campaign with a sending window', () => {
  it('is not claimed while the window is closed, says when it opens, and is sent once it is open', async () => {
    const { campaign } = await createCampaign(
      db,
      {
        ...campaignOf(2, READERS),
        window: { startMinute: 8 * 60, endMinute: 18 * 60, timeZone: 'Europe/Zurich' },
      },
      new Date(),
    );
    const before = sink.messages.length;
    const clock = testClock(new Date('2026-12-01T17:30:00Z')); // 18:30 in Zurich: closed since 18:00
    const deliverer = new BatchDeliverer({
      ledger: postgresLedger(db, { leaseMs: 60_000 }),
      sender: pool,
      tokens: createTokens(Buffer.from('deliverer-secret-deliverer-secret-000000')),
      clock,
      rate: sendRateLimiter(0, clock),
      breaker: new CircuitBreaker(50),
      logger: pino({ level: 'silent' }),
      options: { sendConcurrency: 1, flushEvery: 1, flushIntervalMs: 60_000 },
    });
    // Held until 08:00 tomorrow in Zurich: 13.5 hours; the batch is not even claimed.
    expect(await deliverer.deliver(campaign.id, 0, { last: false })).toEqual({
      kind: 'held',
      retryInMs: 13.5 * 3600_000,
    });
    const untouched = await db.query('SELECT status, attempts FROM campaign_batches WHERE campaign_id = $1', [
      campaign.id,
    ]);
    expect(untouched.rows).toEqual([{ status: 'pending', attempts: 0 }]);
    clock.advance(13.5 * 3600_000);
    expect(await deliverer.deliver(campaign.id, 0, { last: false })).toEqual({ kind: 'done', sent: READERS });
    expect(sink.messages.length - before).toBe(READERS);
  });
});
