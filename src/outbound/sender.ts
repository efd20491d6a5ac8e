// src/outbound: the one way mail leaves bulletin. Campaigns, proofs and list mail (confirmations,
// welcomes, acknowledgements) all hand finished bytes and an envelope to a `Sender`, which is an
// SMTP pool when SMTP_URL is set (DKIM, connections, messages per connection) or else the outbox,
// `.eml` files in <data dir>/outbox/ in one format (outbox.ts). Callers get the result in delivery
// terms and never see an SMTP error. Named "outbound" rather than "mail": src/inbound receives mail,
// src/list holds what list mail says, and this folder only sends. Queues are src/queue's.

export interface Envelope {
  /** The envelope sender (a VERP return path: bounces come back to it); '' is the null sender `<>`. */
  from: string;
  to: string;
}

export type SendResult =
  | { kind: 'sent' }
  /** Permanent: do not retry. `stage: 'recipient'` means this address was refused (a hard bounce). */
  | { kind: 'rejected'; stage: 'recipient' | 'message'; code: number; reason: string }
  /** Temporary: the message may go through later. */
  | { kind: 'deferred'; code?: number; reason: string };

export interface Sender {
  /** Sends `raw` as it is, nothing re-encoded. */
  send(envelope: Envelope, raw: Buffer): Promise<SendResult>;
  close(): Promise<void>;
}
