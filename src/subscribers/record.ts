// Everything held about one reader, as the reader downloads it from the preference page (the
// GDPR's right of access, as listmonk offers it): the subscriber row with its consent record, the
// changes asked for it (its history), every delivery to it and the automatic mail sent to it.
// JSON as the store has it; CSV as one row per value (section, item, field, value), cells
// neutralised against spreadsheet formulas like the subscribers export's.

import { stringify } from 'csv-stringify/sync';
import type { Queryable } from '../store/db.ts';
import { neutraliseCell } from './csv-cells.ts';
import { getSubscriber } from './store.ts';

export async function subscriberRecord(db: Queryable, id: number) {
  const subscriber = await getSubscriber(db, id);
  if (!subscriber) return undefined;
  const { rows: consent } = await db.query<{ imported_consent: unknown }>(
    'SELECT imported_consent FROM subscribers WHERE id = $1',
    [id],
  );
  const { rows: history } = await db.query(
    `SELECT requested_at, requested_by, confirmed_at, consent_evidence, name, language, format, pdf, email
     FROM subscriber_changes WHERE subscriber_id = $1 ORDER BY id`,
    [id],
  );
  const { rows: deliveries } = await db.query(
    `SELECT c.publication, c.issue_code, d.email, d.status, d.attempts, d.detail, d.updated_at
     FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id WHERE d.subscriber_id = $1
     ORDER BY d.campaign_id`,
    [id],
  );
  const { rows: automaticMail } = await db.query(
    'SELECT publication, kind, sent_at FROM automatic_mail WHERE mailbox = lower($1) ORDER BY id',
    [subscriber.email],
  );
  return {
    subscriber,
    importedConsent: consent[0]?.imported_consent ?? null,
    history,
    deliveries,
    automaticMail,
  };
}

export type SubscriberRecord = NonNullable<Awaited<ReturnType<typeof subscriberRecord>>>;

const cell = (value: unknown): string =>
  neutraliseCell(
    value === null || value === undefined
      ? ''
      : value instanceof Date
        ? value.toISOString()
        : typeof value === 'object'
          ? JSON.stringify(value)
          : String(value),
  );

export function recordCsv(record: SubscriberRecord): string {
  const rows: string[][] = [['section', 'item', 'field', 'value']];
  for (const [field, value] of Object.entries(record.subscriber))
    rows.push(['subscriber', '1', field, cell(value)]);
  rows.push(['subscriber', '1', 'importedConsent', cell(record.importedConsent)]);
  const lists = {
    history: record.history,
    deliveries: record.deliveries,
    automaticMail: record.automaticMail,
  };
  for (const [section, items] of Object.entries(lists))
    items.forEach((item, i) => {
      for (const [field, value] of Object.entries(item as Record<string, unknown>))
        rows.push([section, String(i + 1), field, cell(value)]);
    });
  return stringify(rows);
}
