// The "list-mail" queue: automatic list mail (confirmations, welcomes, acknowledgements, help) is
// queued, then sent by a worker with retries, so a slow or down SMTP server never blocks the SMTP
// conversation that caused the mail, and nothing is lost on restart (Redis is appendonly).

import { Queue, Worker } from 'bullmq';
import type { RedisConnection } from '../services/redis.ts';
import type { OutgoingMail } from './message.ts';
import type { MailTransport } from './transport.ts';

export const LIST_MAIL_QUEUE = 'list-mail';

/** What the inbound handler needs: somewhere to put mail to be sent. */
export interface ListMailer {
  enqueue(mail: OutgoingMail): Promise<void>;
}

export function createListMailQueue(
  connection: RedisConnection,
  options: { attempts?: number; firstRetryDelayMs?: number } = {},
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
      await queue.add('mail', mail);
    },
    close: () => queue.close(),
  };
}

export function startListMailWorker(
  connection: RedisConnection,
  transport: MailTransport,
  options: { concurrency?: number; onFailed?: (mail: OutgoingMail, error: Error) => void } = {},
): Worker<OutgoingMail> {
  const worker = new Worker<OutgoingMail>(
    LIST_MAIL_QUEUE,
    async (job) => {
      await transport.send(job.data);
    },
    { connection: { ...connection, maxRetriesPerRequest: null }, concurrency: options.concurrency ?? 4 },
  );
  worker.on('failed', (job, error) => {
    if (job) options.onFailed?.(job.data, error);
  });
  return worker;
}
