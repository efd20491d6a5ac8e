// The campaign ledger on PostgreSQL. Every statement of a batch reads through an index bound to
// that batch or that row (test/campaigns/plans.test.ts), so a batch costs the same at any list size.
//
// A claim increments the batch's `attempts`; the number it got is the claim's name (a fencing
// token). Every step after the claim runs under one guard, HELD: the batch is still submitting
// under that very claim. A worker whose lease ran out and whose batch another worker claimed
// since (or that was cancelled, or reopened by --resend-failed) changes nothing but the facts it
// reports: results are kept from anyone, since a message sent is sent.

import { InternalError } from '../problems.ts';
import type { Db, Queryable } from '../store/db.ts';
import type { Format, PdfChoice } from '../subscribers/model.ts';
import { recordBounce } from '../subscribers/store.ts';
import type { BatchLease, CampaignLedger, Claim, QueuedRecipient } from './ledger.ts';
import { type CampaignStatus, getCampaignSnapshot, setCampaignStatus } from './store.ts';

/** $1 campaign, $2 batch, $3 claim: the batch is submitting under this claim and no later one. */
const HELD = `campaign_id = $1 AND batch = $2 AND status = 'submitting' AND attempts = $3`;

const held = (lease: BatchLease) => [lease.campaignId, lease.batch, lease.claim];

export interface PostgresLedgerOptions {
  /** How long a claim holds its batch without a sign of life (a results write). */
  leaseMs: number;
}

export function postgresLedger(db: Db, options: PostgresLedgerOptions): CampaignLedger {
  const { leaseMs } = options;
  /** Extends the lease; false when the claim no longer holds the batch. */
  const renew = async (q: Queryable, lease: BatchLease) =>
    (
      await q.query(
        `UPDATE campaign_batches SET lease_until = now() + $4 * interval '1 millisecond' WHERE ${HELD}`,
        [...held(lease), leaseMs],
      )
    ).affectedRows > 0;

  return {
    async status(campaignId) {
      const { rows } = await db.query<{ status: CampaignStatus }>(
        'SELECT status FROM campaigns WHERE id = $1',
        [campaignId],
      );
      return rows[0]?.status;
    },

    campaign: (campaignId) => getCampaignSnapshot(db, campaignId),

    /**
     * A batch another live worker holds is left alone (SKIP LOCKED, unexpired lease): BullMQ hands
     * a job to a second worker only when it believes the first one stalled, and the lease makes
     * sure it really has.
     */
    claim(campaignId, batch) {
      return db.transaction(async (tx): Promise<Claim> => {
        const { rows } = await tx.query<{ status: string; held_ms: number | null }>(
          `SELECT status, GREATEST(0, EXTRACT(EPOCH FROM lease_until - now()) * 1000)::int AS held_ms
           FROM campaign_batches WHERE campaign_id = $1 AND batch = $2 FOR UPDATE SKIP LOCKED`,
          [campaignId, batch],
        );
        const row = rows[0];
        if (!row) {
          const exists = await tx.query(
            'SELECT 1 FROM campaign_batches WHERE campaign_id = $1 AND batch = $2',
            [campaignId, batch],
          );
          return exists.rows.length ? { kind: 'held', retryInMs: 1000 } : { kind: 'done' };
        }
        if (row.status === 'done') return { kind: 'done' };
        if (row.status === 'submitting' && (row.held_ms ?? 0) > 0)
          return { kind: 'held', retryInMs: row.held_ms ?? 0 };
        const claimed = await tx.query<{ attempts: number }>(
          `UPDATE campaign_batches SET status = 'submitting', attempts = attempts + 1,
             lease_until = now() + $3 * interval '1 millisecond'
           WHERE campaign_id = $1 AND batch = $2 RETURNING attempts`,
          [campaignId, batch, leaseMs],
        );
        const claim = claimed.rows[0]?.attempts;
        if (claim === undefined)
          throw new InternalError('a locked batch row vanished inside its transaction');
        return { kind: 'claimed', lease: { campaignId, batch, claim } };
      });
    },

    async queuedRecipients(lease): Promise<QueuedRecipient[]> {
      const { rows } = await db.query<{
        subscriber_id: number;
        email: string;
        status: string | null;
        language: string | null;
        format: Format | null;
        pdf: PdfChoice | null;
      }>(
        `SELECT d.subscriber_id, d.email, s.status, s.language, s.format, s.pdf FROM deliveries d
         LEFT JOIN subscribers s ON s.id = d.subscriber_id
         WHERE d.campaign_id = $1 AND d.batch = $2 AND d.status = 'queued' ORDER BY d.subscriber_id`,
        [lease.campaignId, lease.batch],
      );
      return rows.map((r) => ({
        subscriberId: Number(r.subscriber_id),
        email: r.email,
        subscriberStatus: r.status,
        choices: { language: r.language, format: r.format ?? 'html', pdf: r.pdf },
      }));
    },

    /**
     * Only rows still queued change, so a result written twice is counted once, and a bounce
     * marks its subscriber once. The batch bounds the search (deliveries_queued holds only its
     * queued rows), so a write costs the same at any list size. Counters are taken in status
     * order, so two batches writing at once never wait on each other in a circle.
     */
    record(lease, results, now) {
      if (!results.length) return renew(db, lease);
      return db.transaction(async (tx) => {
        const { rows: bounced } = await tx.query<{ subscriber_id: number }>(
          `WITH was_deferred AS (
             -- Read before the update (one snapshot for the whole statement), bounded like it.
             SELECT subscriber_id FROM deliveries
              WHERE campaign_id = $1 AND batch = $2 AND status = 'queued' AND detail IS NOT NULL
                AND subscriber_id = ANY($3::bigint[])
           ), updated AS (
             UPDATE deliveries d SET status = r.status, detail = r.detail, attempts = d.attempts + 1, updated_at = now()
             FROM unnest($3::bigint[], $4::text[], $5::text[]) AS r(subscriber_id, status, detail)
             WHERE d.campaign_id = $1 AND d.batch = $2 AND d.status = 'queued' AND d.subscriber_id = r.subscriber_id
             RETURNING d.subscriber_id, d.status, d.detail
           ), changed AS (
             SELECT u.*, w.subscriber_id IS NOT NULL AS was_deferred
               FROM updated u LEFT JOIN was_deferred w USING (subscriber_id)
           ), counted AS (
             INSERT INTO campaign_counts (campaign_id, status, n)
             SELECT $1, status, count(*) FROM changed WHERE status <> 'queued' GROUP BY status ORDER BY status
             ON CONFLICT (campaign_id, status) DO UPDATE SET n = campaign_counts.n + excluded.n
           ), deferrals AS (
             -- A queued row with a detail was deferred: count the ones that became so, less the
             -- ones that stopped being so; only when a deferral is involved.
             INSERT INTO campaign_deferrals (campaign_id, deferred, last_error, last_error_at)
             SELECT $1,
                    count(*) FILTER (WHERE status = 'queued') - count(*) FILTER (WHERE was_deferred),
                    (array_agg(detail) FILTER (WHERE status = 'queued'))[1],
                    CASE WHEN bool_or(status = 'queued') THEN now() END
               FROM changed
             HAVING bool_or(status = 'queued' OR was_deferred)
             ON CONFLICT (campaign_id) DO UPDATE SET
               deferred = campaign_deferrals.deferred + excluded.deferred,
               last_error = coalesce(excluded.last_error, campaign_deferrals.last_error),
               last_error_at = coalesce(excluded.last_error_at, campaign_deferrals.last_error_at)
           )
           SELECT subscriber_id FROM changed WHERE status = 'bounced' ORDER BY subscriber_id`,
          [
            lease.campaignId,
            lease.batch,
            results.map((r) => r.subscriberId),
            results.map((r) => r.status),
            results.map((r) => r.detail ?? null),
          ],
        );
        // A recipient's server refused the address: a hard bounce, as if it had bounced later.
        for (const { subscriber_id } of bounced)
          await recordBounce(tx, Number(subscriber_id), { hard: true, now });
        return renew(tx, lease);
      });
    },

    async release(lease) {
      const { affectedRows } = await db.query(
        `UPDATE campaign_batches SET status = 'pending', lease_until = NULL WHERE ${HELD}`,
        held(lease),
      );
      return affectedRows > 0;
    },

    /**
     * The campaign counts its open batches, so "was that the last one?" reads one row whatever
     * the campaign's size; the batch row's lock orders two finishers, and only one holds the claim.
     */
    finish(lease, now) {
      return db.transaction(async (tx) => {
        const done = await tx.query(
          `UPDATE campaign_batches SET status = 'done', lease_until = NULL WHERE ${HELD}`,
          held(lease),
        );
        if (!done.affectedRows) return false;
        const { rows } = await tx.query<{ finished: boolean }>(
          `UPDATE campaigns SET open_batches = open_batches - 1,
             status = CASE WHEN open_batches = 1 AND status = 'sending' THEN 'done' ELSE status END,
             finished_at = CASE WHEN open_batches = 1 AND status = 'sending' THEN $2 ELSE finished_at END
           WHERE id = $1
           RETURNING open_batches = 0 AND status = 'done' AS finished`,
          [lease.campaignId, now],
        );
        return rows[0]?.finished ?? false;
      });
    },

    pause: (campaignId, reason) => setCampaignStatus(db, campaignId, ['sending'], 'paused', reason),
  };
}
