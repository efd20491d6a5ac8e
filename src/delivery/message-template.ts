// A campaign's MIME message, built once (MJML, encoding, boundaries) and personalised per recipient
// by splicing values into a pre-split buffer. Nothing is parsed or re-encoded per recipient.
//
// The body parts are quoted-printable. `%` is literal in QP, so the `%%name%%` markers survive
// encoding, but nodemailer's QP line wrapping may put a soft break (`=\r\n`) inside a marker
// (it breaks at 76 columns when no space is near). The slot finder therefore accepts a soft break
// between any two characters of a marker, and the value spliced in is itself QP-encoded and
// wrapped, so every line stays within 76 columns.

import MailComposer from 'nodemailer/lib/mail-composer';
import { InternalError } from '../problems.ts';
import {
  ESCAPE,
  type IssueValues,
  PLACEHOLDER_NAMES,
  PLACEHOLDERS,
  RECIPIENT_HEADERS,
  RECIPIENT_REPLACEMENTS,
  type RecipientReplacementId,
  type RecipientValues,
} from '../render/replacements.ts';

/** What every copy of the message shares. `html` and `text` carry the placeholders of ../render/replacements.ts. */
export interface MessageContent {
  from: { name: string; address: string };
  subject: string;
  /** Absent: a plain-text message (the readers who chose text only). */
  html?: string;
  text: string;
  /** The issue's own values, the same for every recipient: filled in once, here. */
  issue: IssueValues;
  /** Headers the same for every recipient (List-Id, Precedence, …), emitted as given. */
  headers: Record<string, string>;
  attachments?: Array<{ filename: string; content: Buffer; contentType: string }>;
  date: Date;
}

type Part = 'header' | 'text' | 'html';

/** Where one recipient value goes: a header, or a placeholder in the text or the HTML part. */
interface Slot {
  id: RecipientReplacementId;
  part: Part;
}

/** Every slot a message can hold: each per-recipient header, and each per-recipient placeholder in both parts. */
const SLOTS: readonly Slot[] = [
  ...RECIPIENT_HEADERS.map(({ id }) => ({ id, part: 'header' as const })),
  ...(['text', 'html'] as const).flatMap((part) =>
    PLACEHOLDER_NAMES.flatMap((id) => (isRecipientValue(id) ? [{ id, part }] : [])),
  ),
];

// Markers get their part in their name so the right escaping is applied when splicing.
const marker = (slot: Slot) => `%%${slot.part}:${slot.id}%%`;

/** Stands in for the recipient while composing: nodemailer parses To and drops what is not an address. */
const TO_SENTINEL = 'recipient@bulletin.invalid';

export class MessageTemplate {
  /** Literal pieces; `slots[i]` goes between `pieces[i]` and `pieces[i + 1]`. */
  private constructor(
    private readonly pieces: Buffer[],
    private readonly slots: Slot[],
  ) {}

  static async compose(content: MessageContent): Promise<MessageTemplate> {
    const tag = (body: string, part: 'text' | 'html') => {
      let tagged = body;
      for (const id of PLACEHOLDER_NAMES)
        tagged = tagged.replaceAll(
          PLACEHOLDERS[id],
          isRecipientValue(id) ? marker({ id, part }) : ESCAPE[part](content.issue[id]),
        );
      return tagged;
    };
    // nodemailer writes To and Message-ID from its own options; the other headers go in prepared.
    const headerMarker = (name: string) => {
      const header = RECIPIENT_HEADERS.find((h) => h.name === name);
      if (!header) throw new Error(`no per-recipient ${name} header in the replacement table`);
      const tagged = marker({ id: header.id, part: 'header' });
      return header.bracketed ? `<${tagged}>` : tagged;
    };
    const composer = new MailComposer({
      from: content.from,
      to: TO_SENTINEL,
      subject: content.subject,
      date: content.date,
      messageId: headerMarker('Message-ID'),
      headers: {
        ...Object.fromEntries(
          RECIPIENT_HEADERS.filter((h) => h.name !== 'To' && h.name !== 'Message-ID').map((h) => [
            h.name,
            { prepared: true, value: headerMarker(h.name) },
          ]),
        ),
        ...Object.fromEntries(
          Object.entries(content.headers).map(([key, value]) => [key, { prepared: true, value }]),
        ),
      },
      text: { content: tag(content.text, 'text'), contentTransferEncoding: 'quoted-printable' },
      html:
        content.html === undefined
          ? undefined
          : { content: tag(content.html, 'html'), contentTransferEncoding: 'quoted-printable' },
      attachments: content.attachments,
    });
    const raw = (await composer.compile().build())
      .toString('latin1')
      .replace(/\r?\n/g, '\r\n') // SMTP line endings, so spliced soft breaks match the body's
      .replace(`\r\nTo: ${TO_SENTINEL}\r\n`, `\r\nTo: ${headerMarker('To')}\r\n`);
    return MessageTemplate.fromRaw(raw);
  }

  /** Splits a composed message (latin1, so one char per byte) at every marker, soft breaks allowed inside. */
  private static fromRaw(raw: string): MessageTemplate {
    const pieces: Buffer[] = [];
    const slots: Slot[] = [];
    let last = 0;
    for (const match of raw.matchAll(SLOT_PATTERN)) {
      pieces.push(Buffer.from(raw.slice(last, match.index), 'latin1'));
      slots.push(SLOT_BY_MARKER.get(match[0].replaceAll('=\r\n', '')) as Slot);
      last = match.index + match[0].length;
    }
    pieces.push(Buffer.from(raw.slice(last), 'latin1'));
    if (!slots.some((slot) => slot.part === 'header' && slot.id === 'to'))
      throw new InternalError('composed message has no To header to personalise');
    return new MessageTemplate(pieces, slots);
  }

  /** The complete RFC 5322 message for one recipient. */
  personalise(values: RecipientValues): Buffer {
    const parts: Buffer[] = [];
    for (let i = 0; i < this.slots.length; i++) {
      const slot = this.slots[i] as Slot;
      parts.push(this.pieces[i] as Buffer, Buffer.from(SPLICE[slot.part](values[slot.id]), 'utf8'));
    }
    parts.push(this.pieces[this.pieces.length - 1] as Buffer);
    return Buffer.concat(parts);
  }
}

function isRecipientValue(id: string): id is RecipientReplacementId {
  return (RECIPIENT_REPLACEMENTS as readonly string[]).includes(id);
}

const SLOT_BY_MARKER = new Map(SLOTS.map((slot) => [marker(slot), slot]));

const SLOT_PATTERN = new RegExp(
  SLOTS.map((slot) =>
    [...marker(slot)].map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('(?:=\\r\\n)?'),
  ).join('|'),
  'g',
);

/** What is spliced for a value: headers take it as is; body parts are quoted-printable. */
const SPLICE: Record<Part, (value: string) => string> = {
  header: ESCAPE.header,
  text: (value) => quotedPrintable(ESCAPE.text(value)),
  html: (value) => quotedPrintable(ESCAPE.html(value)),
};

const QP_LINE = 75; // 76 columns including the trailing "=" of a soft break

/**
 * QP-encodes a value for the middle of an encoded line: a soft break before and after it, and
 * inside it every 75 columns (never inside an =XX escape), so no line grows past 76 columns.
 */
export function quotedPrintable(value: string): string {
  const tokens: string[] = [];
  for (const byte of Buffer.from(value, 'utf8')) {
    const literal = byte > 32 && byte < 127 && byte !== 61; // printable ASCII except "="
    tokens.push(literal ? String.fromCharCode(byte) : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`);
  }
  const lines: string[] = [];
  let line = '';
  for (const token of tokens) {
    if (line.length + token.length > QP_LINE) {
      lines.push(line);
      line = '';
    }
    line += token;
  }
  lines.push(line);
  return `=\r\n${lines.join('=\r\n')}=\r\n`;
}
