// CSV import: our own export, listmonk's and Mailchimp's. Streams the file in batches, so a
// million rows take the memory of one batch. Never re-subscribes anyone who opted out.

import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { Db } from '../store/db.ts';
import { cleanName, normaliseAddress } from './address.ts';
import { OPTED_OUT, type Status } from './model.ts';

export interface ImportReport {
  imported: number;
  updated: number;
  skipped: number;
  /** Why rows were skipped: reason → count and the first few line numbers. */
  reasons: Map<string, { count: number; lines: number[] }>;
}

/** Status words of the formats we read (ours, listmonk, Mailchimp) → our status. */
const STATUS_WORDS: Record<string, Status> = {
  confirmed: 'confirmed',
  subscribed: 'confirmed',
  enabled: 'confirmed',
  active: 'confirmed',
  pending: 'pending',
  unconfirmed: 'pending',
  unsubscribed: 'unsubscribed',
  disabled: 'unsubscribed',
  blocklisted: 'unsubscribed',
  bounced: 'bounced',
  cleaned: 'bounced',
  complained: 'complained',
};

const EMAIL_HEADERS = ['email', 'email address', 'e-mail', 'email_address'];

interface Columns {
  email: number;
  name?: number;
  first?: number;
  last?: number;
  status?: number;
}

function findColumns(header: string[]): Columns | undefined {
  const h = header.map((c) => c.trim().toLowerCase());
  const at = (...names: string[]) => {
    const i = h.findIndex((c) => names.includes(c));
    return i < 0 ? undefined : i;
  };
  const email = at(...EMAIL_HEADERS);
  if (email === undefined) return undefined;
  return {
    email,
    name: at('name', 'full name'),
    first: at('first name', 'fname'),
    last: at('last name', 'lname'),
    status: at('status'),
  };
}

interface Candidate {
  line: number;
  email: string;
  name: string | undefined;
  status: Status;
}

export class ImportFormatError extends Error {}

export async function importSubscribers(
  db: Db,
  input: Readable,
  options: { publication: string; source: string; defaultStatus?: Status; now: Date; batchSize?: number },
): Promise<ImportReport> {
  const report: ImportReport = { imported: 0, updated: 0, skipped: 0, reasons: new Map() };
  const skip = (reason: string, line: number) => {
    report.skipped++;
    const entry = report.reasons.get(reason) ?? { count: 0, lines: [] };
    entry.count++;
    if (entry.lines.length < 5) entry.lines.push(line);
    report.reasons.set(reason, entry);
  };
  const parser = input.pipe(
    parse({ bom: true, relax_column_count: true, skip_empty_lines: true, trim: true, info: true }),
  );
  let columns: Columns | undefined;
  let batch = new Map<string, Candidate>();
  const flush = async () => {
    if (batch.size) await writeBatch(db, [...batch.values()], options, report, skip);
    batch = new Map();
  };
  for await (const { record, info } of parser as AsyncIterable<{
    record: string[];
    info: { lines: number };
  }>) {
    if (!columns) {
      columns = findColumns(record);
      if (!columns) {
        parser.destroy();
        throw new ImportFormatError(
          `no email column in the header row (${record.join(',')}); expected one of: ${EMAIL_HEADERS.join(', ')}`,
        );
      }
      continue;
    }
    const line = info.lines;
    const email = normaliseAddress(record[columns.email] ?? '');
    if (!email) {
      skip('invalid address', line);
      continue;
    }
    const word = (columns.status === undefined ? '' : (record[columns.status] ?? '')).toLowerCase();
    const status = word
      ? Object.hasOwn(STATUS_WORDS, word)
        ? STATUS_WORDS[word]
        : undefined
      : (options.defaultStatus ?? 'confirmed');
    if (!status) {
      skip(`unknown status "${word.slice(0, 40)}"`, line);
      continue;
    }
    const pick = (i: number | undefined) => (i === undefined ? '' : (record[i] ?? ''));
    const name = cleanName(
      columns.name !== undefined ? pick(columns.name) : `${pick(columns.first)} ${pick(columns.last)}`,
    );
    const earlier = batch.get(email);
    if (earlier) skip('duplicate address in the file', earlier.line);
    batch.set(email, { line, email, name, status });
    if (batch.size >= (options.batchSize ?? 2000)) await flush();
  }
  await flush();
  return report;
}

/** Whether an import may move an existing subscriber from `from` to `to`. */
function allowedChange(from: Status, to: Status): boolean {
  if (OPTED_OUT.includes(to)) return true; // honour the old list's unsubscribes and bounces
  return from === 'pending' && to === 'confirmed';
}

async function writeBatch(
  db: Db,
  rows: Candidate[],
  options: { publication: string; source: string; now: Date },
  report: ImportReport,
  skip: (reason: string, line: number) => void,
): Promise<void> {
  await db.transaction(async (tx) => {
    const { rows: existing } = await tx.query<{
      id: number;
      email: string;
      name: string | null;
      status: Status;
    }>('SELECT id, email, name, status FROM subscribers WHERE publication = $1 AND email = ANY($2::text[])', [
      options.publication,
      rows.map((r) => r.email),
    ]);
    const byEmail = new Map(existing.map((e) => [e.email, e]));
    const fresh: Candidate[] = [];
    const changes: { id: number; name: string | null; status: Status }[] = [];
    for (const row of rows) {
      const current = byEmail.get(row.email);
      if (!current) {
        fresh.push(row);
        continue;
      }
      const allowed = row.status === current.status || allowedChange(current.status, row.status);
      if (!allowed && OPTED_OUT.includes(current.status)) {
        skip(`${current.status} earlier; only the subscriber can subscribe again`, row.line);
        continue;
      }
      const status = allowed ? row.status : current.status; // never demote confirmed to pending
      const name = row.name ?? current.name;
      if (status === current.status && name === current.name) {
        skip('already present, unchanged', row.line);
        continue;
      }
      changes.push({ id: current.id, name, status });
    }
    if (fresh.length) {
      await tx.query(
        `INSERT INTO subscribers (publication, email, name, status, source, created_at, updated_at,
           confirmed_at, consent_method, consent_evidence, unsubscribed_at)
         SELECT $1, u.email, u.name, u.status, 'import', $2, $2,
           CASE WHEN u.status = 'confirmed' THEN $2::timestamptz END, 'import', $3,
           CASE WHEN u.status = 'unsubscribed' THEN $2::timestamptz END
         FROM unnest($4::text[], $5::text[], $6::text[]) AS u(email, name, status)`,
        [
          options.publication,
          options.now,
          `import of ${basename(options.source)}`,
          fresh.map((r) => r.email),
          fresh.map((r) => r.name ?? null),
          fresh.map((r) => r.status),
        ],
      );
      report.imported += fresh.length;
    }
    if (changes.length) {
      await tx.query(
        `UPDATE subscribers AS s SET name = u.name, status = u.status, updated_at = $1,
           confirmed_at = CASE WHEN u.status = 'confirmed' AND s.status <> 'confirmed' THEN $1 ELSE s.confirmed_at END,
           consent_method = CASE WHEN u.status = 'confirmed' AND s.status <> 'confirmed' THEN 'import' ELSE s.consent_method END,
           consent_evidence = CASE WHEN u.status = 'confirmed' AND s.status <> 'confirmed' THEN $2 ELSE s.consent_evidence END,
           unsubscribed_at = CASE WHEN u.status = 'unsubscribed' AND s.status <> 'unsubscribed' THEN $1 ELSE s.unsubscribed_at END
         FROM unnest($3::bigint[], $4::text[], $5::text[]) AS u(id, name, status) WHERE s.id = u.id`,
        [
          options.now,
          `import of ${basename(options.source)}`,
          changes.map((c) => c.id),
          changes.map((c) => c.name),
          changes.map((c) => c.status),
        ],
      );
      report.updated += changes.length;
    }
  });
}
