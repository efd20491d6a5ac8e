// Who a campaign of a publication would go to now, without recording anything: `publish --dry-run`
// and the admin's campaign pages show it. The campaign itself takes its recipients when it starts
// (store.ts's snapshot): the confirmed readers of that moment.

import type { Queryable } from '../store/db.ts';

export interface Audience {
  /** Readers of the publication by status (pending, confirmed, unsubscribed, bounced, complained). */
  byStatus: Map<string, number>;
  /** Those who would receive it: the confirmed. */
  confirmed: number;
  /** The first confirmed addresses, in send order. */
  sample: string[];
}

export async function audienceOf(db: Queryable, publication: string, sampleSize: number): Promise<Audience> {
  const counts = await db.query<{ status: string; n: number }>(
    'SELECT status, count(*)::int AS n FROM subscribers WHERE publication = $1 GROUP BY status ORDER BY status',
    [publication],
  );
  const byStatus = new Map(counts.rows.map((r) => [r.status, r.n]));
  const sample = sampleSize
    ? await db.query<{ email: string }>(
        `SELECT email FROM subscribers WHERE publication = $1 AND status = 'confirmed' ORDER BY id LIMIT $2`,
        [publication, sampleSize],
      )
    : { rows: [] };
  return { byStatus, confirmed: byStatus.get('confirmed') ?? 0, sample: sample.rows.map((r) => r.email) };
}
