// The list's own mail before it leaves: its shape (OutgoingMail, plain JSON, rendered and
// addressed already) and the port it is handed to (ListMailer). subscribers and inbound write such
// mail; src/queue's list-mail queue implements ListMailer and src/outbound sends it.

/** An outgoing message as queued: plain JSON, rendered already, addressed already. */
export interface OutgoingMail {
  from: { name: string; address: string };
  to: string;
  replyTo?: string;
  subject: string;
  text: string;
  html?: string;
  /** Extra headers, e.g. Auto-Submitted, List-Id, List-Unsubscribe. */
  headers?: Record<string, string>;
  inReplyTo?: string;
  references?: string;
  /**
   * SMTP envelope sender: a VERP bounce address, or null for the null sender `<>` that automatic
   * replies use so that nothing ever answers them (RFC 3834 §3.3).
   */
  returnPath: string | null;
}

/** What the inbound handler and the list actions need: somewhere to put mail to be sent. */
export interface ListMailer {
  /** Resolves once the mail is stored for sending (queued in Redis, which keeps it). */
  enqueue(mail: OutgoingMail): Promise<void>;
}
