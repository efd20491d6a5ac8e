import type { Writable } from 'node:stream';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { Queryable } from '../store/db.ts';
import { neutraliseCell } from './csv-cells.ts';
import type { Status } from './model.ts';
import { streamSubscribers } from './store.ts';

export const EXPORT_COLUMNS = [
  'email',
  'name',
  'status',
  'source',
  'created_at',
  'updated_at',
  'confirmed_at',
  'consent_method',
  'consent_evidence',
  'unsubscribed_at',
  // What the reader chose (issue 15); empty: the publication's default.
  'language',
  'format',
  'pdf',
] as const;

const iso = (d: Date | null) => (d ? d.toISOString() : '');

/**
 * Writes CSV (header row first) that `importSubscribers` reads back. Returns the row count.
 * Text a stranger chose (address, name, evidence) never reaches a spreadsheet as a formula.
 */
export async function exportSubscribers(
  db: Queryable,
  publication: string,
  out: Writable,
  options: { status?: Status } = {},
): Promise<number> {
  let count = 0;
  async function* rows() {
    for await (const s of streamSubscribers(db, publication, options)) {
      count++;
      yield [
        s.email,
        s.name ?? '',
        s.status,
        s.source,
        iso(s.createdAt),
        iso(s.updatedAt),
        iso(s.confirmedAt),
        s.consentMethod ?? '',
        s.consentEvidence ?? '',
        iso(s.unsubscribedAt),
        s.language ?? '',
        s.format,
        s.pdf ?? '',
      ].map(neutraliseCell);
    }
  }
  await pipeline(Readable.from(rows()), stringify({ header: true, columns: [...EXPORT_COLUMNS] }), out, {
    end: false,
  });
  return count;
}
