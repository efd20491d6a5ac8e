// The `list-mail` queue: automatic list mail (confirmations, welcomes, acknowledgements, help) is
// queued, then sent by a worker through the one Sender with retries, so a slow or down SMTP server
// never blocks the SMTP conversation that caused the mail, and nothing is lost on restart (Redis is
// appendonly).

import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { z } from 'zod';
import type { ListMailer, OutgoingMail } from '../list/mail.ts';
import { composeMail } from '../outbound/compose.ts';
import type { Sender } from '../outbound/sender.ts';
import type { RedisConnection } from '../services/redis.ts';
import { LIST_MAIL_QUEUE } from './index.ts';

/** A job's data as it crosses Redis: checked when queued and again when a worker takes it. */
const outgoingMail = z.strictObject({
  from: z.strictObject({ name: z.string(), address: z.string() }),
  to: z.string(),
  replyTo: z.string().optional(),
  subject: z.string(),
  text: z.string(),
  html: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  inReplyTo: z.string().optional(),
  references: z.string().optional(),
  returnPath: z.string().nullable(),
}) satisfies z.ZodType<OutgoingMail>;

export interface ListMailRetry {
  attempts?: number;
  firstRetryDelayMs?: number;
}

export function createListMailQueue(
  connection: RedisConnection,
  options: ListMailRetry = {},
): ListMailer & { close(): Promise<void> } {
  const queue = new Queue<OutgoingMail>(LIST_MAIL_QUEUE, {
    connection,
    defaultJobOptions: {
      // 5 s, 10 s, 20 s … about 10 minutes in all before a message is given up.
      attempts: options.attempts ?? 8,
      backoff: { type: 'exponential', delay: options.firstRetryDelayMs ?? 5_000 },
      removeOnComplete: { age: 7 * 86400, count: 10_000 },
      removeOnFail: { age: 30 * 86400 },
    },
  });
  // While Redis is down, add() fails (the caller answers 451) and the connection retries: its error
  // events need a listener, or one would end the process.
  queue.on('error', () => {});
  return {
    async enqueue(mail) {
      await queue.add('mail', outgoingMail.parse(mail));
    },
    close: () => queue.close(),
  };
}

/** Parallel list-mail sends per process; also the SMTP connections its sender should pool. */
export const LIST_MAIL_CONCURRENCY = 4;

export interface ListMailWorker {
  close(): Promise<void>;
}

export function startListMailWorker(
  connection: RedisConnection,
  sender: Sender,
  options: {
    concurrency?: number;
    /** A send that failed and will be retried (or, after the last attempt, given up). */
    onFailed?: (mail: OutgoingMail, error: Error) => void;
    /** The worker lost Redis; it waits for it to come back. */
    onError?: (error: Error) => void;
  } = {},
): ListMailWorker {
  const worker = new Worker<OutgoingMail>(
    LIST_MAIL_QUEUE,
    async (job) => {
      const mail = outgoingMail.safeParse(job.data);
      if (!mail.success) throw new UnrecoverableError(`not a list mail job: ${mail.error.message}`);
      const { envelope, raw } = await composeMail(mail.data);
      const result = await sender.send(envelope, raw);
      // Thrown either way, so BullMQ retries with backoff, as it always has for list mail.
      if (result.kind !== 'sent') throw new Error(`${result.kind}: ${result.reason}`);
    },
    {
      connection: { ...connection, maxRetriesPerRequest: null },
      concurrency: options.concurrency ?? LIST_MAIL_CONCURRENCY,
    },
  );
  worker.on('failed', (job, error) => {
    if (job) options.onFailed?.(job.data, error);
  });
  worker.on('error', (error) => options.onError?.(error));
  return { close: () => worker.close() };
}
