// Scheduled campaigns: `publish --at`, `schedule list|move|cancel`, and the admin's campaign pages
// call these. A scheduled campaign is a row with status `scheduled` and its `scheduled_at`: its
// rendered snapshot is stored (a broken issue fails when it is scheduled, not at its time) and its
// edition files wait in `campaign_files`, off the site. At its time (`startScheduled`, run by the
// scheduler of `bulletin worker` or `serve`) the confirmed readers of that moment become its
// recipients, the editions are written where the site serves them, and its batches are queued.

import { join } from 'node:path';
import { BulletinError, fail, InternalError } from '../problems.ts';
import type { DeliveryQueue } from '../queue/delivery-queue.ts';
import type { ScheduleQueue, Wake } from '../queue/schedule-queue.ts';
import { type EditionFile, writeEditionFiles } from '../render/edition-files.ts';
import { RECORD_FILE } from '../render/web/record.ts';
import type { Db, Queryable } from '../store/db.ts';
import { enqueueBatches } from './enqueue.ts';
import type { LanguageFiles } from './publish.ts';
import { editionKey, editionsRoot, storePublishedFilesIn } from './published-editions.ts';
import {
  type Campaign,
  type CampaignRow,
  insertCampaign,
  type NewCampaign,
  SUMMARY_COLUMNS,
  snapshotRecipients,
  toCampaign,
} from './store.ts';
import { formatLocal } from './zoned-time.ts';

export interface ScheduleDeps {
  db: Db;
  schedule: ScheduleQueue;
}

export interface When {
  /** The instant to start sending. */
  at: Date;
  /** The zone the time was given in: listings show it, and the sending window is read in it. */
  timeZone: string;
}

/** Fails in one line (`schedule-in-past`) unless the time is still to come. */
export function assertFuture(when: When, now: Date): void {
  if (when.at.getTime() <= now.getTime())
    fail('schedule-in-past', {
      local: formatLocal(when.at.getTime(), when.timeZone),
      timeZone: when.timeZone,
      now: formatLocal(now.getTime(), when.timeZone),
    });
}

/**
 * Records a scheduled campaign with its rendered snapshot and edition files, and the delayed job
 * that wakes it. An issue that has a campaign already gets nothing new (`created` false).
 */
export async function scheduleCampaign(
  deps: ScheduleDeps,
  input: NewCampaign,
  languages: readonly LanguageFiles[],
  when: When & { now: Date },
): Promise<{ campaign: Campaign; created: boolean }> {
  assertFuture(when, when.now);
  const result = await deps.db.transaction(async (tx) => {
    const id = await insertCampaign(tx, input, when.now, {
      status: 'scheduled',
      at: when.at,
      timeZone: when.timeZone,
    });
    if (id === undefined) return { id: undefined };
    for (const { translation, files } of languages)
      for (const file of files)
        await tx.query(
          'INSERT INTO campaign_files (campaign_id, language, name, contents) VALUES ($1, $2, $3, $4)',
          [
            id,
            translation ?? '',
            file.name,
            typeof file.contents === 'string' ? Buffer.from(file.contents) : file.contents,
          ],
        );
    return { id };
  });
  if (result.id === undefined) {
    const { rows } = await deps.db.query<CampaignRow>(
      `SELECT ${SUMMARY_COLUMNS} FROM campaigns WHERE publication = $1 AND issue_number = $2`,
      [input.publication, input.issueNumber],
    );
    if (!rows[0]) throw new InternalError('campaign conflict without a campaign');
    return { campaign: toCampaign(rows[0]), created: false };
  }
  await deps.schedule.wake([{ campaignId: result.id, at: when.at }]);
  return { campaign: await summary(deps.db, result.id), created: true };
}

/** Scheduled campaigns, soonest first, without their snapshots. */
export async function listScheduled(db: Queryable): Promise<Campaign[]> {
  const { rows } = await db.query<CampaignRow>(
    `SELECT ${SUMMARY_COLUMNS} FROM campaigns WHERE status = 'scheduled' ORDER BY scheduled_at, id`,
  );
  return rows.map(toCampaign);
}

/** Moves a scheduled campaign to another time (and zone, if given). */
export async function moveScheduled(
  deps: ScheduleDeps,
  id: number,
  when: { at: Date; timeZone?: string; now: Date },
): Promise<Campaign> {
  const before = await scheduled(deps.db, id);
  const timeZone = when.timeZone ?? before.timeZone ?? 'UTC';
  assertFuture({ at: when.at, timeZone }, when.now);
  const { affectedRows } = await deps.db.query(
    `UPDATE campaigns SET scheduled_at = $2, time_zone = $3 WHERE id = $1 AND status = 'scheduled'`,
    [id, when.at, timeZone],
  );
  // It started meanwhile (its time came while this ran).
  if (!affectedRows) await scheduled(deps.db, id);
  await deps.schedule.wake([{ campaignId: id, at: when.at }]);
  if (before.scheduledAt) await deps.schedule.forget({ campaignId: id, at: before.scheduledAt });
  return summary(deps.db, id);
}

/**
 * Cancels a scheduled campaign: nothing was sent, so the record stays as cancelled only until the
 * issue is published or scheduled again. Its edition files, never online, are dropped.
 */
export async function cancelScheduled(deps: ScheduleDeps, id: number, now: Date): Promise<Campaign> {
  const before = await scheduled(deps.db, id);
  const cancelled = await deps.db.transaction(async (tx) => {
    const { affectedRows } = await tx.query(
      `UPDATE campaigns SET status = 'cancelled', status_reason = 'cancelled before its time', finished_at = $2
       WHERE id = $1 AND status = 'scheduled'`,
      [id, now],
    );
    if (affectedRows) await tx.query('DELETE FROM campaign_files WHERE campaign_id = $1', [id]);
    return affectedRows > 0;
  });
  if (!cancelled) await scheduled(deps.db, id);
  if (before.scheduledAt) await deps.schedule.forget({ campaignId: id, at: before.scheduledAt });
  return summary(deps.db, id);
}

/** The wake-ups every scheduled campaign needs: offered again by each sweep (a no-op when queued). */
export async function wakeScheduled(db: Queryable, schedule: ScheduleQueue): Promise<number> {
  const { rows } = await db.query<{ id: number; scheduled_at: Date }>(
    `SELECT id, scheduled_at FROM campaigns WHERE status = 'scheduled' ORDER BY scheduled_at LIMIT 10000`,
  );
  const wakes: Wake[] = rows.map((r) => ({ campaignId: Number(r.id), at: new Date(r.scheduled_at) }));
  await schedule.wake(wakes);
  return wakes.length;
}

export type StartOutcome =
  /** It is sending now (started by this call, or earlier: its batches were queued again). */
  | { kind: 'started'; campaign: Campaign; byThisCall: boolean }
  /** Its time has not come (it was moved, or the job's clock runs ahead of ours). */
  | { kind: 'early'; retryInMs: number }
  /** Nobody was confirmed on the list at its time: cancelled, so the issue can be sent later. */
  | { kind: 'no-readers'; campaign: Campaign }
  /** Cancelled, paused or done already, or gone: nothing to do. */
  | { kind: 'not-scheduled' };

/**
 * Starts a due scheduled campaign: the confirmed readers now become its recipients, its edition
 * files are written under `<dataDir>/editions` (before anything is sent that links to them), and
 * its batches are queued. Safe to run twice or at once from several processes: the row lock
 * orders them, and a campaign already sending only has its batches offered again.
 */
export async function startScheduled(
  deps: { db: Db; queue: DeliveryQueue },
  id: number,
  options: { now: Date; dataDir: string },
): Promise<StartOutcome> {
  const outcome = await deps.db.transaction(
    async (tx): Promise<StartOutcome | { kind: 'sending'; byThisCall: boolean }> => {
      const { rows } = await tx.query<CampaignRow>(
        `SELECT ${SUMMARY_COLUMNS} FROM campaigns WHERE id = $1 FOR UPDATE`,
        [id],
      );
      const row = rows[0];
      if (!row) return { kind: 'not-scheduled' };
      const campaign = toCampaign(row);
      if (campaign.status === 'sending') return { kind: 'sending', byThisCall: false };
      if (campaign.status !== 'scheduled' || !campaign.scheduledAt) return { kind: 'not-scheduled' };
      const wait = campaign.scheduledAt.getTime() - options.now.getTime();
      if (wait > 0) return { kind: 'early', retryInMs: wait };
      await tx.query('SAVEPOINT snapshot');
      try {
        await snapshotRecipients(tx, id, campaign.publication, campaign.batchSize);
      } catch (err) {
        if (!(err instanceof BulletinError && err.problems.some((p) => p.code === 'no-readers'))) throw err;
        await tx.query('ROLLBACK TO SAVEPOINT snapshot');
        await tx.query(
          `UPDATE campaigns SET status = 'cancelled', status_reason = 'no confirmed reader at its time',
           finished_at = $2 WHERE id = $1`,
          [id, options.now],
        );
        await tx.query('DELETE FROM campaign_files WHERE campaign_id = $1', [id]);
        return { kind: 'no-readers', campaign: { ...campaign, status: 'cancelled' } };
      }
      // Online before any message links to them; a failure here rolls the start back for a retry.
      const files = await tx.query<{ language: string; name: string; contents: Uint8Array }>(
        'SELECT language, name, contents FROM campaign_files WHERE campaign_id = $1 ORDER BY language, name',
        [id],
      );
      // In the database, where every serve finds them, and in this data dir, which search indexes:
      // each language's under its own key (005, fr/005).
      const byEdition = new Map<string, EditionFile[]>();
      for (const f of files.rows) {
        const key = editionKey(campaign.issueCode, f.language || undefined);
        const online = {
          name: f.name,
          contents: onlineNow(f.name, Buffer.from(f.contents), options.now),
          ms: 0,
        };
        byEdition.set(key, [...(byEdition.get(key) ?? []), online]);
      }
      for (const [key, online] of byEdition) {
        const record = await storePublishedFilesIn(tx, campaign.publication, key, online);
        writeEditionFiles(
          join(editionsRoot(options.dataDir), campaign.publication, ...key.split('/')),
          online.map((file) =>
            record && file.name === RECORD_FILE
              ? { ...file, contents: Buffer.from(JSON.stringify(record)) }
              : file,
          ),
        );
      }
      await tx.query('DELETE FROM campaign_files WHERE campaign_id = $1', [id]);
      await tx.query(`UPDATE campaigns SET status = 'sending', status_reason = NULL WHERE id = $1`, [id]);
      return { kind: 'sending', byThisCall: true };
    },
  );
  if (outcome.kind !== 'sending') return outcome;
  // As publish does after its snapshot: statistics of earlier campaigns say nothing of this one.
  if (outcome.byThisCall) await deps.db.query('ANALYZE deliveries, campaign_batches');
  const campaign = await summary(deps.db, id);
  await enqueueBatches(deps.db, deps.queue, campaign);
  return { kind: 'started', campaign, byThisCall: outcome.byThisCall };
}

/** The site's record says the editions came out now (the feeds' `updated`), not when they were rendered. */
function onlineNow(name: string, contents: Buffer, now: Date): Buffer {
  if (name !== RECORD_FILE) return contents;
  return Buffer.from(
    JSON.stringify({ ...JSON.parse(contents.toString('utf8')), renderedAt: now.toISOString() }),
  );
}

async function summary(db: Queryable, id: number): Promise<Campaign> {
  const { rows } = await db.query<CampaignRow>(`SELECT ${SUMMARY_COLUMNS} FROM campaigns WHERE id = $1`, [
    id,
  ]);
  if (!rows[0]) throw new InternalError(`campaign ${id} vanished`);
  return toCampaign(rows[0]);
}

/** The campaign, if it is scheduled; else the one-line error saying what it is. */
async function scheduled(db: Queryable, id: number): Promise<Campaign> {
  const { rows } = await db.query<CampaignRow>(`SELECT ${SUMMARY_COLUMNS} FROM campaigns WHERE id = $1`, [
    id,
  ]);
  const row = rows[0];
  if (!row) fail('no-campaign', { ref: String(id) });
  const campaign = toCampaign(row);
  if (campaign.status !== 'scheduled') fail('not-scheduled', { id, status: campaign.status });
  return campaign;
}
