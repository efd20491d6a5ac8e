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
  /** The confirmed by the language they chose (null: none, the publication's default). */
  byLanguage: Map<string | null, number>;
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
  const languages = await db.query<{ language: string | null; n: number }>(
    `SELECT language, count(*)::int AS n FROM subscribers WHERE publication = $1 AND status = 'confirmed'
     GROUP BY language`,
    [publication],
  );
  return {
    byStatus,
    confirmed: byStatus.get('confirmed') ?? 0,
    sample: sample.rows.map((r) => r.email),
    byLanguage: new Map(languages.rows.map((r) => [r.language, r.n])),
  };
}

/**
 * How many confirmed readers would be sent each language's edition: their language's when the issue
 * has a translation into it (`translations`: their codes), else the default's (`defaultLanguage`),
 * with the languages that fall back to it.
 */
export function readersByEdition(
  byLanguage: ReadonlyMap<string | null, number>,
  defaultLanguage: string,
  translations: readonly string[],
): Array<{ edition: string; readers: number; fallback: Array<[string, number]> }> {
  const editions = [defaultLanguage, ...translations].map((edition) => ({
    edition,
    readers: 0,
    fallback: [] as Array<[string, number]>,
  }));
  const [byDefault] = editions as [(typeof editions)[number]];
  for (const [language, n] of byLanguage) {
    const own = editions.find((e) => e.edition === language);
    if (own) own.readers += n;
    else {
      byDefault.readers += n;
      if (language) byDefault.fallback.push([language, n]);
    }
  }
  byDefault.fallback.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return editions;
}
