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
import { PLACEHOLDERS, type PlaceholderValues } from '../render/placeholders.ts';

/** What every copy of the message shares. `html` and `text` carry the placeholders of ../render/placeholders.ts. */
export interface MessageContent {
  from: { name: string; address: string };
  subject: string;
  html: string;
  text: string;
  /** The issue's own links, the same for every recipient: filled in once, here. */
  urls: Pick<PlaceholderValues, 'web_url' | 'pdf_url'>;
  /** Headers the same for every recipient (List-Id, Precedence, …), emitted as given. */
  headers: Record<string, string>;
  attachments?: Array<{ filename: string; content: Buffer; contentType: string }>;
  date: Date;
}

/** What differs per recipient. */
export interface RecipientValues {
  email: string;
  /** Without angle brackets: c12.s345@example.org */
  messageId: string;
  /** The VERP envelope sender, also written as the Return-Path header. */
  returnPath: string;
  unsubscribeUrl: string;
  /** The value of List-Unsubscribe: `<mailto:…>, <https://…>`. */
  listUnsubscribe: string;
}

type Slot =
  | 'header:to'
  | 'header:message_id'
  | 'header:return_path'
  | 'header:list_unsubscribe'
  | 'text:recipient_email'
  | 'text:unsubscribe_url'
  | 'html:recipient_email'
  | 'html:unsubscribe_url';

const SLOTS: readonly Slot[] = [
  'header:to',
  'header:message_id',
  'header:return_path',
  'header:list_unsubscribe',
  'text:recipient_email',
  'text:unsubscribe_url',
  'html:recipient_email',
  'html:unsubscribe_url',
];

const marker = (slot: Slot) => `%%${slot}%%`;

/** Stands in for the recipient while composing: nodemailer parses To and drops what is not an address. */
const TO_SENTINEL = 'recipient@bulletin.invalid';

export class MessageTemplate {
  /** Literal pieces; `slots[i]` goes between `pieces[i]` and `pieces[i + 1]`. */
  private constructor(
    private readonly pieces: Buffer[],
    private readonly slots: Slot[],
  ) {}

  static async compose(content: MessageContent): Promise<MessageTemplate> {
    // Markers get their part in their name so the right escaping is applied when splicing.
    const tag = (body: string, part: 'text' | 'html') =>
      body
        .replaceAll(
          PLACEHOLDERS.web_url,
          part === 'html' ? escapeHtml(content.urls.web_url) : content.urls.web_url,
        )
        .replaceAll(
          PLACEHOLDERS.pdf_url,
          part === 'html' ? escapeHtml(content.urls.pdf_url) : content.urls.pdf_url,
        )
        .replaceAll(PLACEHOLDERS.recipient_email, marker(`${part}:recipient_email`))
        .replaceAll(PLACEHOLDERS.unsubscribe_url, marker(`${part}:unsubscribe_url`));
    const composer = new MailComposer({
      from: content.from,
      to: TO_SENTINEL,
      subject: content.subject,
      date: content.date,
      messageId: `<${marker('header:message_id')}>`,
      headers: {
        'Return-Path': { prepared: true, value: `<${marker('header:return_path')}>` },
        'List-Unsubscribe': { prepared: true, value: marker('header:list_unsubscribe') },
        ...Object.fromEntries(
          Object.entries(content.headers).map(([key, value]) => [key, { prepared: true, value }]),
        ),
      },
      text: { content: tag(content.text, 'text'), contentTransferEncoding: 'quoted-printable' },
      html: { content: tag(content.html, 'html'), contentTransferEncoding: 'quoted-printable' },
      attachments: content.attachments,
    });
    const raw = (await composer.compile().build())
      .toString('latin1')
      .replace(/\r?\n/g, '\r\n') // SMTP line endings, so spliced soft breaks match the body's
      .replace(`\r\nTo: ${TO_SENTINEL}\r\n`, `\r\nTo: ${marker('header:to')}\r\n`);
    return MessageTemplate.fromRaw(raw);
  }

  /** Splits a composed message (latin1, so one char per byte) at every marker, soft breaks allowed inside. */
  private static fromRaw(raw: string): MessageTemplate {
    const pieces: Buffer[] = [];
    const slots: Slot[] = [];
    let last = 0;
    for (const match of raw.matchAll(SLOT_PATTERN)) {
      pieces.push(Buffer.from(raw.slice(last, match.index), 'latin1'));
      slots.push(match[0].replaceAll('=\r\n', '').slice(2, -2) as Slot);
      last = match.index + match[0].length;
    }
    pieces.push(Buffer.from(raw.slice(last), 'latin1'));
    if (!slots.includes('header:to'))
      throw new InternalError('composed message has no To header to personalise');
    return new MessageTemplate(pieces, slots);
  }

  /** The complete RFC 5322 message for one recipient. */
  personalise(values: RecipientValues): Buffer {
    const parts: Buffer[] = [];
    for (let i = 0; i < this.slots.length; i++) {
      parts.push(this.pieces[i] as Buffer, Buffer.from(slotValue(this.slots[i] as Slot, values), 'utf8'));
    }
    parts.push(this.pieces[this.pieces.length - 1] as Buffer);
    return Buffer.concat(parts);
  }
}

const SLOT_PATTERN = new RegExp(
  SLOTS.map((slot) =>
    [...marker(slot)].map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('(?:=\\r\\n)?'),
  ).join('|'),
  'g',
);

function slotValue(slot: Slot, v: RecipientValues): string {
  switch (slot) {
    case 'header:to':
      return v.email;
    case 'header:message_id':
      return v.messageId;
    case 'header:return_path':
      return v.returnPath;
    case 'header:list_unsubscribe':
      return v.listUnsubscribe;
    case 'text:recipient_email':
      return quotedPrintable(v.email);
    case 'text:unsubscribe_url':
      return quotedPrintable(v.unsubscribeUrl);
    case 'html:recipient_email':
      return quotedPrintable(escapeHtml(v.email));
    case 'html:unsubscribe_url':
      return quotedPrintable(escapeHtml(v.unsubscribeUrl));
  }
}

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

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] as string);
}
