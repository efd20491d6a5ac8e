// Contributions: mail to a list address that is not a command, kept for the editors exactly as
// received (raw) and parsed (text, attachments), and marked handled by an editor.

import { basename } from 'node:path';
import type { Db, Queryable } from '../store/db.ts';

export interface NewContribution {
  publication: string;
  receivedAt: Date;
  envelopeFrom: string | null;
  fromAddress?: string;
  fromName?: string;
  subject?: string;
  messageId?: string;
  text?: string;
  raw: Buffer;
  attachments: { filename?: string; contentType: string; content: Buffer }[];
  /** Why it is kept apart from contributions (mail a program sent), if it is. */
  heldReason?: string;
}

export interface ContributionSummary {
  id: number;
  publication: string;
  receivedAt: Date;
  fromAddress: string | null;
  fromName: string | null;
  subject: string | null;
  attachments: number;
  /** Set for mail a program sent (kept, not a contribution). */
  heldReason: string | null;
  /** When an editor marked it handled, and who; null while it waits. */
  handledAt: Date | null;
  handledBy: string | null;
}

export interface Contribution extends ContributionSummary {
  envelopeFrom: string | null;
  messageId: string | null;
  text: string | null;
  attachmentList: { id: number; filename: string | null; contentType: string; size: number }[];
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSTORABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;

/** PostgreSQL text cannot hold NUL; mail can. Control characters other than tab and newlines go too. */
function storable(s: string | undefined, max = 1_000_000): string | null {
  return s === undefined ? null : s.replace(UNSTORABLE, '').slice(0, max);
}

export async function saveContribution(db: Pick<Db, 'transaction'>, c: NewContribution): Promise<number> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: number }>(
      `INSERT INTO contributions (publication, received_at, envelope_from, from_address, from_name, subject,
         message_id, text_body, raw, held_reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
      [
        c.publication,
        c.receivedAt,
        storable(c.envelopeFrom ?? undefined, 500),
        storable(c.fromAddress, 500),
        storable(c.fromName, 500),
        storable(c.subject, 2000),
        storable(c.messageId, 1000),
        storable(c.text),
        c.raw,
        c.heldReason ?? null,
      ],
    );
    const id = Number(rows[0]?.id);
    for (const a of c.attachments) {
      await tx.query(
        `INSERT INTO contribution_attachments (contribution_id, filename, content_type, size, content)
         VALUES ($1, $2, $3, $4, $5)`,
        [
          id,
          storable(a.filename, 500),
          storable(a.contentType, 200) ?? 'application/octet-stream',
          a.content.length,
          a.content,
        ],
      );
    }
    return id;
  });
}

const SUMMARY = `c.id, c.publication, c.received_at, c.from_address, c.from_name, c.subject, c.held_reason,
  c.handled_at, c.handled_by, (SELECT count(*)::int FROM contribution_attachments a WHERE a.contribution_id = c.id) AS attachments`;

interface SummaryRow {
  id: number;
  publication: string;
  received_at: Date;
  from_address: string | null;
  from_name: string | null;
  subject: string | null;
  attachments: number;
  held_reason: string | null;
  handled_at: Date | null;
  handled_by: string | null;
}

const toSummary = (r: SummaryRow): ContributionSummary => ({
  id: Number(r.id),
  publication: r.publication,
  receivedAt: r.received_at,
  fromAddress: r.from_address,
  fromName: r.from_name,
  subject: r.subject,
  attachments: r.attachments,
  heldReason: r.held_reason,
  handledAt: r.handled_at,
  handledBy: r.handled_by,
});

export interface ContributionFilter {
  /** Only those with a smaller number (the next page's cursor). */
  before?: number;
  /** Only those handled (true) or still waiting (false). */
  handled?: boolean;
}

/** Newest first, a page at a time by keyset (`before`), through an index on the publication. */
export async function listContributions(
  db: Queryable,
  publication: string,
  limit = 100,
  filter: ContributionFilter = {},
): Promise<ContributionSummary[]> {
  const { rows } = await db.query<SummaryRow>(
    `SELECT ${SUMMARY} FROM contributions c
     WHERE c.publication = $1 AND ($2::bigint IS NULL OR c.id < $2)
       AND ($3::boolean IS NULL OR (c.handled_at IS NOT NULL) = $3)
     ORDER BY c.id DESC LIMIT $4`,
    [publication, filter.before ?? null, filter.handled ?? null, limit],
  );
  return rows.map(toSummary);
}

/**
 * Marks a contribution handled (with who and when) or waiting again. Returns whether the
 * publication has that contribution.
 */
export async function markHandled(
  db: Queryable,
  publication: string,
  id: number,
  handled: { by: string; now: Date } | false,
): Promise<boolean> {
  const { affectedRows } = await db.query(
    `UPDATE contributions SET handled_at = $3, handled_by = $4 WHERE publication = $1 AND id = $2`,
    [publication, id, handled ? handled.now : null, handled ? handled.by.slice(0, 200) : null],
  );
  return affectedRows > 0;
}

/** One attachment of one of the publication's contributions, with its content. */
export async function getAttachment(
  db: Queryable,
  publication: string,
  contributionId: number,
  attachmentId: number,
): Promise<{ filename: string | null; contentType: string; content: Buffer } | undefined> {
  const { rows } = await db.query<{ filename: string | null; content_type: string; content: Uint8Array }>(
    `SELECT a.filename, a.content_type, a.content FROM contribution_attachments a
     JOIN contributions c ON c.id = a.contribution_id
     WHERE c.publication = $1 AND c.id = $2 AND a.id = $3`,
    [publication, contributionId, attachmentId],
  );
  const row = rows[0];
  return row && { filename: row.filename, contentType: row.content_type, content: Buffer.from(row.content) };
}

/**
 * A sender's file name made safe to write or offer for download: no folders, no leading dots (a
 * hidden file), only letters, digits and `._ -`, at most 120 characters; `fallback` when nothing
 * is left.
 */
export function safeAttachmentName(name: string | null, fallback: string): string {
  const cleaned = basename(name ?? '')
    .replace(/[^\p{L}\p{N}._ -]+/gu, '_')
    .replace(/^\.+/, '');
  return cleaned.slice(0, 120) || fallback;
}

export async function getContribution(
  db: Queryable,
  publication: string,
  id: number,
): Promise<Contribution | undefined> {
  const { rows } = await db.query<
    SummaryRow & { envelope_from: string | null; message_id: string | null; text_body: string | null }
  >(
    `SELECT ${SUMMARY}, c.envelope_from, c.message_id, c.text_body FROM contributions c
     WHERE c.publication = $1 AND c.id = $2`,
    [publication, id],
  );
  const row = rows[0];
  if (!row) return undefined;
  const attachments = await db.query<{
    id: number;
    filename: string | null;
    content_type: string;
    size: number;
  }>(
    'SELECT id, filename, content_type, size FROM contribution_attachments WHERE contribution_id = $1 ORDER BY id',
    [id],
  );
  return {
    ...toSummary(row),
    envelopeFrom: row.envelope_from,
    messageId: row.message_id,
    text: row.text_body,
    attachmentList: attachments.rows.map((a) => ({
      id: Number(a.id),
      filename: a.filename,
      contentType: a.content_type,
      size: a.size,
    })),
  };
}

/** The message exactly as received, and the attachments' contents, for `contributions export`. */
export async function contributionFiles(
  db: Queryable,
  publication: string,
  id: number,
): Promise<{ raw: Buffer; attachments: { filename: string | null; content: Buffer }[] } | undefined> {
  const { rows } = await db.query<{ raw: Uint8Array }>(
    'SELECT raw FROM contributions WHERE publication = $1 AND id = $2',
    [publication, id],
  );
  if (!rows[0]) return undefined;
  const attachments = await db.query<{ filename: string | null; content: Uint8Array }>(
    'SELECT filename, content FROM contribution_attachments WHERE contribution_id = $1 ORDER BY id',
    [id],
  );
  return {
    raw: Buffer.from(rows[0].raw),
    attachments: attachments.rows.map((a) => ({ filename: a.filename, content: Buffer.from(a.content) })),
  };
}
