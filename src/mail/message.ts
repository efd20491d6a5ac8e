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
