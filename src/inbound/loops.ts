// Loop prevention (RFC 3834): never answer mail that a program sent. Such mail is still logged.

/** The parts of a message that say whether a program sent it. */
export interface Provenance {
  /** SMTP envelope sender; null for the null sender `<>` of bounces and auto-replies. */
  envelopeFrom: string | null;
  from?: string;
  /** Lower-case header name → raw value. */
  headers: ReadonlyMap<string, string>;
}

const ROBOT_LOCAL_PARTS =
  /^(mailer-daemon|postmaster|noreply|no-reply|do-not-reply|donotreply|listserv|majordomo|mailman|.*-(request|bounces?|owner))$|^owner-/i;

/** Why we must not reply automatically, or undefined when a reply is fine. */
export function noAutoReplyReason(
  mail: Provenance,
  ourAddresses: (address: string) => boolean,
): string | undefined {
  if (!mail.envelopeFrom) return 'null envelope sender (a bounce or an automatic reply)';
  const header = (name: string) => mail.headers.get(name)?.toLowerCase();
  const autoSubmitted = header('auto-submitted');
  if (autoSubmitted && autoSubmitted !== 'no') return `Auto-Submitted: ${autoSubmitted}`;
  const precedence = header('precedence');
  if (precedence && /^(bulk|junk|list)$/.test(precedence)) return `Precedence: ${precedence}`;
  if (header('list-id') !== undefined) return 'sent by a mailing list (List-Id)';
  const loop = header('x-loop');
  if (loop && ourAddresses(loop)) return 'our own X-Loop header';
  for (const address of [mail.envelopeFrom, mail.from]) {
    if (!address) continue;
    if (ourAddresses(address)) return `sent by one of our own addresses (${address})`;
    if (ROBOT_LOCAL_PARTS.test(address.slice(0, address.lastIndexOf('@'))))
      return `sent by a robot address (${address})`;
  }
  return undefined;
}

/**
 * Mail a program sent in reply to something (bounces, vacation notices): not a contribution and not
 * a command, whoever it is addressed to.
 */
export function isAutomaticReply(mail: Provenance): boolean {
  const autoSubmitted = mail.headers.get('auto-submitted')?.toLowerCase();
  const local = (mail.envelopeFrom ?? '').split('@')[0] ?? '';
  return (
    !mail.envelopeFrom ||
    (autoSubmitted !== undefined && autoSubmitted !== 'no') ||
    /^(mailer-daemon|postmaster)$/i.test(local)
  );
}
