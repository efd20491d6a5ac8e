// CSV import: our own export, listmonk's and Mailchimp's. Streams the file in batches, so a
// million rows take the memory of one batch. Never re-subscribes anyone who opted out, in any
// capitalisation of the address, and keeps the consent evidence a file carries. The readers'
// choices our export carries (language, format, pdf) are checked and given to the readers it
// adds; a reader already on the list keeps the choices they made themselves.

import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { z } from 'zod';
import type { Db } from '../store/db.ts';
import { cleanName, normaliseAddress } from './address.ts';
import { restoreCell } from './csv-cells.ts';
import { FORMATS, type Format, OPTED_OUT, PDF_CHOICES, type PdfChoice, type Status } from './model.ts';
import { mailboxDigest } from './store.ts';

export interface ImportReport {
  imported: number;
  updated: number;
  skipped: number;
  /** Why rows were skipped: reason → count and the first few line numbers. */
  reasons: Map<string, { count: number; lines: number[] }>;
  /** Rows imported or updated, by the status they got. */
  statuses: Map<Status, number>;
  /** Rows whose consent evidence (opt-in and confirmation times and IPs, attributes) was kept. */
  withEvidence: number;
}

/** Status words of the formats we read (ours, listmonk, Mailchimp) → our status. */
const STATUS_WORDS = new Map<string, Status>([
  ['confirmed', 'confirmed'],
  ['subscribed', 'confirmed'],
  ['enabled', 'confirmed'],
  ['active', 'confirmed'],
  ['pending', 'pending'],
  ['unconfirmed', 'pending'],
  ['unsubscribed', 'unsubscribed'],
  ['disabled', 'unsubscribed'],
  ['blocklisted', 'unsubscribed'],
  ['bounced', 'bounced'],
  ['cleaned', 'bounced'],
  ['complained', 'complained'],
]);

const EMAIL_HEADERS = ['email', 'email address', 'e-mail', 'email_address'];

/**
 * Columns that are consent evidence, by their header (lower-cased): Mailchimp's, listmonk's and
 * ours. Kept in imported_consent as the file wrote them.
 */
const EVIDENCE_HEADERS = [
  'optin_time',
  'optin_ip',
  'confirm_time',
  'confirm_ip',
  'unsub_time',
  'unsub_reason',
  'clean_time',
  'created_at',
  'attributes',
  'confirmed_at',
  'consent_method',
  'consent_evidence',
  'unsubscribed_at',
];

interface Columns {
  email: number;
  name?: number;
  first?: number;
  last?: number;
  status?: number;
  language?: number;
  format?: number;
  pdf?: number;
  /** Mailchimp's unsubscribed or cleaned export: no status column, every row opted out. */
  optedOut?: Status;
  evidence: [string, number][];
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
    language: at('language'),
    format: at('format'),
    pdf: at('pdf'),
    optedOut:
      at('unsub_time') !== undefined
        ? 'unsubscribed'
        : at('clean_time') !== undefined
          ? 'bounced'
          : undefined,
    evidence: EVIDENCE_HEADERS.flatMap((name) => {
      const i = at(name);
      return i === undefined ? [] : [[name, i] as [string, number]];
    }),
  };
}

/** What a file says about a row's consent: the raw fields, and the times we can read. */
interface Evidence {
  fields: Record<string, unknown>;
  /** When the reader confirmed (CONFIRM_TIME, our confirmed_at), if the file says. */
  confirmedAt?: Date;
  /** When the reader left (UNSUB_TIME, our unsubscribed_at), if the file says. */
  unsubscribedAt?: Date;
  /** One line for consent_evidence. */
  summary: string;
}

/** A reader's choices as our export writes them: empty (or "default") is the publication's default. */
const byDefault = z.enum(['', 'default']).transform(() => null);
const ChoiceCells = z.object({
  language: z.union([
    byDefault,
    z
      .string()
      .regex(/^[a-z]{2,3}(-[a-z0-9]{1,8})*$/i)
      .transform((tag) => (tag.split('-')[0] as string).toLowerCase()),
  ]),
  format: z.union([z.literal('').transform(() => 'html' as const), z.enum(FORMATS)]),
  pdf: z.union([byDefault, z.enum(PDF_CHOICES)]),
});

interface Choices {
  language: string | null;
  format: Format;
  pdf: PdfChoice | null;
}

interface Candidate {
  line: number;
  email: string;
  name: string | undefined;
  status: Status;
  evidence: Evidence | undefined;
  choices: Choices;
}

/** The row's choices, or why they cannot be taken (a value no reader can choose here). */
function readChoices(
  cells: { language: string; format: string; pdf: string },
  languages: readonly string[] | undefined,
): Choices | string {
  const parsed = ChoiceCells.safeParse(cells);
  if (!parsed.success) {
    const field = String(parsed.error.issues[0]?.path[0] ?? 'language') as keyof typeof cells;
    return `unknown ${field} "${cells[field].slice(0, 40)}"`;
  }
  const { language } = parsed.data;
  if (language && languages && !languages.includes(language))
    return `language "${language}" is not one of the publication's (${languages.join(', ')})`;
  return parsed.data;
}

export class ImportFormatError extends Error {}

export async function importSubscribers(
  db: Db,
  input: Readable,
  options: {
    publication: string;
    /** The file's name (or path): the consent evidence of every row names it. */
    source: string;
    /** The editor who uploaded it in the admin, named beside the file. */
    uploadedBy?: string;
    defaultStatus?: Status;
    /** The publication's languages (primary tags): a row choosing another is skipped. */
    languages?: readonly string[];
    now: Date;
    batchSize?: number;
  },
): Promise<ImportReport> {
  const report: ImportReport = {
    imported: 0,
    updated: 0,
    skipped: 0,
    reasons: new Map(),
    statuses: new Map(),
    withEvidence: 0,
  };
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
  const file = `${basename(options.source)}${options.uploadedBy ? ` (uploaded by ${options.uploadedBy})` : ''}`;
  let columns: Columns | undefined;
  // Keyed by the mailbox (lower-cased): CAROL@ and carol@ are one reader.
  let batch = new Map<string, Candidate>();
  const flush = async () => {
    if (batch.size) await writeBatch(db, [...batch.values()], { ...options, file }, report, skip);
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
    const pick = (i: number | undefined) => (i === undefined ? '' : restoreCell(record[i] ?? ''));
    const email = normaliseAddress(pick(columns.email));
    if (!email) {
      skip('invalid address', line);
      continue;
    }
    const word = pick(columns.status).toLowerCase();
    const named = word ? STATUS_WORDS.get(word) : undefined;
    if (word && !named) {
      skip(`unknown status "${word.slice(0, 40)}"`, line);
      continue;
    }
    // Mailchimp's unsubscribed and cleaned exports have no status column: the file itself says it.
    const status =
      named && (OPTED_OUT.includes(named) || !columns.optedOut)
        ? named
        : (columns.optedOut ?? options.defaultStatus ?? 'confirmed');
    const name = cleanName(
      columns.name !== undefined ? pick(columns.name) : `${pick(columns.first)} ${pick(columns.last)}`,
    );
    const choices = readChoices(
      { language: pick(columns.language), format: pick(columns.format), pdf: pick(columns.pdf) },
      options.languages,
    );
    if (typeof choices === 'string') {
      skip(choices, line);
      continue;
    }
    const evidence = readEvidence(columns, pick, file, options.now);
    const candidate = { line, email, name, status, evidence, choices };
    const key = email.toLowerCase();
    const earlier = batch.get(key);
    if (earlier) {
      // Two rows for one mailbox: an opt-out in either wins, otherwise the later row.
      const keepEarlier = OPTED_OUT.includes(earlier.status) && !OPTED_OUT.includes(status);
      skip('duplicate address in the file', keepEarlier ? line : earlier.line);
      if (keepEarlier) continue;
    }
    batch.set(key, candidate);
    if (batch.size >= (options.batchSize ?? 2000)) await flush();
  }
  await flush();
  return report;
}

/** A time as exports write it (ISO 8601, or Mailchimp's "2019-03-05 14:22:10" in UTC), if sane. */
function readTime(value: string, now: Date): Date | undefined {
  const text = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$/.test(value) ? `${value.replace(' ', 'T')}Z` : value;
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const time = Date.parse(text);
  if (Number.isNaN(time) || time > now.getTime() || time < Date.UTC(1990, 0, 1)) return undefined;
  return new Date(time);
}

function readEvidence(
  columns: Columns,
  pick: (i: number | undefined) => string,
  file: string,
  now: Date,
): Evidence | undefined {
  const fields = Object.create(null) as Record<string, unknown>;
  for (const [name, i] of columns.evidence) {
    const value = pick(i).slice(0, 2000);
    if (!value || (name === 'attributes' && value === '{}')) continue;
    fields[name] = name === 'attributes' ? parseJson(value) : value;
  }
  const text = (name: string) => (typeof fields[name] === 'string' ? (fields[name] as string) : '');
  if (!Object.keys(fields).length) return undefined;
  const part = (what: string, time: string, ip: string) =>
    time || ip ? `${what}${time ? ` ${time}` : ''}${ip ? ` from ${ip}` : ''}` : '';
  const summary = [
    `import of ${file}`,
    part('opted in', text('optin_time'), text('optin_ip')),
    part('confirmed', text('confirm_time') || text('confirmed_at'), text('confirm_ip')),
    text('created_at') && `joined ${text('created_at')}`,
    text('consent_method') && `consent by ${text('consent_method')}: ${text('consent_evidence')}`,
  ]
    .filter(Boolean)
    .join('; ');
  return {
    fields: { file, ...fields },
    confirmedAt: readTime(text('confirm_time') || text('confirmed_at'), now),
    unsubscribedAt: readTime(text('unsub_time') || text('unsubscribed_at'), now),
    summary: summary.slice(0, 500),
  };
}

function parseJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Whether an import may move an existing subscriber from `from` to `to`. */
function allowedChange(from: Status, to: Status): boolean {
  if (OPTED_OUT.includes(to)) return true; // honour the old list's unsubscribes and bounces
  return from === 'pending' && to === 'confirmed';
}

interface Existing {
  id: number;
  email: string;
  name: string | null;
  status: Status;
}

interface Change {
  id: number;
  name: string | null;
  status: Status;
  row: Candidate;
}

async function writeBatch(
  db: Db,
  rows: Candidate[],
  options: { publication: string; file: string; now: Date },
  report: ImportReport,
  skip: (reason: string, line: number) => void,
): Promise<void> {
  const counted = (row: Candidate) => {
    report.statuses.set(row.status, (report.statuses.get(row.status) ?? 0) + 1);
    if (row.evidence) report.withEvidence++;
  };
  await db.transaction(async (tx) => {
    // Case-blind: every row of the mailbox, however it was capitalised when it came in.
    const { rows: existing } = await tx.query<Existing>(
      `SELECT id, email, name, status FROM subscribers
       WHERE publication = $1 AND lower(email) = ANY($2::text[]) ORDER BY id`,
      [options.publication, rows.map((r) => r.email.toLowerCase())],
    );
    const byMailbox = new Map<string, Existing[]>();
    for (const e of existing) {
      const key = e.email.toLowerCase();
      byMailbox.set(key, [...(byMailbox.get(key) ?? []), e]);
    }
    // Erased mailboxes (GDPR) come back only through their owner: confirmed since, or not at all.
    const { rows: erased } = await tx.query<{ mailbox_sha256: string }>(
      'SELECT mailbox_sha256 FROM erased_mailboxes WHERE publication = $1 AND mailbox_sha256 = ANY($2::text[])',
      [options.publication, rows.map((r) => mailboxDigest(r.email))],
    );
    const erasedDigests = new Set(erased.map((e) => e.mailbox_sha256));
    const fresh: Candidate[] = [];
    const changes: Change[] = [];
    for (const row of rows) {
      const matches = byMailbox.get(row.email.toLowerCase());
      if (erasedDigests.has(mailboxDigest(row.email)) && !matches?.some((m) => m.status === 'confirmed')) {
        skip("erased earlier at its owner's request; only the subscriber can subscribe again", row.line);
        continue;
      }
      if (!matches) {
        fresh.push(row);
        continue;
      }
      const optedOut = matches.find((m) => OPTED_OUT.includes(m.status));
      if (optedOut && !OPTED_OUT.includes(row.status)) {
        skip(`${optedOut.status} earlier; only the subscriber can subscribe again`, row.line);
        continue;
      }
      // An opt-out applies to every spelling of the mailbox; anything else to the row as written.
      const targets = OPTED_OUT.includes(row.status)
        ? matches
        : [matches.find((m) => m.email === row.email) ?? (matches[0] as Existing)];
      let changed = false;
      for (const current of targets) {
        const allowed = row.status === current.status || allowedChange(current.status, row.status);
        const status = allowed ? row.status : current.status; // never demote confirmed to pending
        const name = current.email === row.email ? (row.name ?? current.name) : current.name;
        if (status === current.status && name === current.name) continue;
        changes.push({ id: current.id, name, status, row });
        changed = true;
      }
      if (!changed) skip('already present, unchanged', row.line);
      else counted(row);
    }
    if (fresh.length) {
      // ON CONFLICT: a mailbox added meanwhile by a sign-up stays as its owner made it.
      const { rows: inserted } = await tx.query<{ email: string }>(
        `INSERT INTO subscribers (publication, email, name, status, source, created_at, updated_at,
           confirmed_at, consent_method, consent_evidence, unsubscribed_at, last_bounce_at, imported_consent,
           language, format, pdf)
         SELECT $1, u.email, u.name, u.status, 'import', $2, $2,
           CASE WHEN u.status = 'confirmed' THEN COALESCE(u.confirmed_at, $2::timestamptz) END, 'import',
           u.evidence, CASE WHEN u.status = 'unsubscribed' THEN COALESCE(u.unsubscribed_at, $2::timestamptz) END,
           CASE WHEN u.status = 'bounced' THEN $2::timestamptz END, u.details::jsonb,
           u.language, u.format, u.pdf
         FROM unnest($3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::text[], $9::text[],
             $10::text[], $11::text[], $12::text[])
           AS u(email, name, status, confirmed_at, unsubscribed_at, evidence, details, language, format, pdf)
         ON CONFLICT DO NOTHING
         RETURNING email`,
        [
          options.publication,
          options.now,
          fresh.map((r) => r.email),
          fresh.map((r) => r.name ?? null),
          fresh.map((r) => r.status),
          fresh.map((r) => r.evidence?.confirmedAt ?? null),
          fresh.map((r) => r.evidence?.unsubscribedAt ?? null),
          fresh.map((r) => r.evidence?.summary ?? `import of ${options.file}`),
          fresh.map((r) => (r.evidence ? JSON.stringify(r.evidence.fields) : null)),
          fresh.map((r) => r.choices.language),
          fresh.map((r) => r.choices.format),
          fresh.map((r) => r.choices.pdf),
        ],
      );
      const added = new Set(inserted.map((r) => r.email));
      for (const row of fresh) {
        if (added.has(row.email)) counted(row);
        else skip('added by someone else during the import; left as it is', row.line);
      }
      report.imported += added.size;
    }
    if (changes.length) {
      await tx.query(
        `UPDATE subscribers AS s SET name = u.name, status = u.status, updated_at = $1,
           generation = s.generation + CASE WHEN u.status <> s.status THEN 1 ELSE 0 END,
           confirmed_at = CASE WHEN u.status = 'confirmed' AND s.status <> 'confirmed'
             THEN COALESCE(u.confirmed_at, $1) ELSE s.confirmed_at END,
           consent_method = CASE WHEN u.status = 'confirmed' AND s.status <> 'confirmed' THEN 'import' ELSE s.consent_method END,
           consent_evidence = CASE WHEN u.status = 'confirmed' AND s.status <> 'confirmed' THEN u.evidence ELSE s.consent_evidence END,
           unsubscribed_at = CASE WHEN u.status = 'unsubscribed' AND s.status <> 'unsubscribed'
             THEN COALESCE(u.unsubscribed_at, $1) ELSE s.unsubscribed_at END,
           last_bounce_at = CASE WHEN u.status = 'bounced' AND s.status <> 'bounced' THEN $1 ELSE s.last_bounce_at END,
           imported_consent = COALESCE(u.details::jsonb, s.imported_consent)
         FROM unnest($2::bigint[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::text[], $8::text[])
           AS u(id, name, status, confirmed_at, unsubscribed_at, evidence, details)
         WHERE s.id = u.id`,
        [
          options.now,
          changes.map((c) => c.id),
          changes.map((c) => c.name),
          changes.map((c) => c.status),
          changes.map((c) => c.row.evidence?.confirmedAt ?? null),
          changes.map((c) => c.row.evidence?.unsubscribedAt ?? null),
          changes.map((c) => c.row.evidence?.summary ?? `import of ${options.file}`),
          changes.map((c) => (c.row.evidence ? JSON.stringify(c.row.evidence.fields) : null)),
        ],
      );
      report.updated += new Set(changes.map((c) => c.row)).size;
    }
  });
}
