import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutgoingMail } from '../../src/list/mail.ts';
import { smtpPoolSender } from '../../src/outbound/smtp-pool.ts';
import { createListMailQueue, startListMailWorker } from '../../src/queue/list-mail.ts';
import { startRedis } from '../support/redis.ts';
import { type FaultySink, startFaultySink } from '../support/smtp-faults.ts';

const mail = (to: string): OutgoingMail => ({
  from: { name: 'List', address: 'list@example.org' },
  to,
  subject: 'Hello',
  text: 'Hi\n',
  returnPath: null,
});

describe('the list-mail queue', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let sink: FaultySink;
  beforeAll(async () => {
    [redis, sink] = await Promise.all([startRedis(), startFaultySink({ deferShare: 1, deferAttempts: 2 })]);
  });
  afterAll(async () => {
    await sink?.close();
    await redis?.stop();
  });

  it('sends queued mail through the Sender, retrying what the server deferred', async () => {
    const failures: string[] = [];
    const sender = smtpPoolSender({ url: sink.url, connections: 2, messagesPerConnection: 10 });
    const queue = createListMailQueue(redis.connection, { firstRetryDelayMs: 10 });
    const worker = startListMailWorker(redis.connection, sender, { onFailed: (m) => failures.push(m.to) });
    try {
      await queue.enqueue(mail('flaky@example.org'));
      await queue.enqueue(mail('fine@example.org'));
      await expect
        .poll(() => sink.received.map((m) => m.to).sort(), { timeout: 15_000 })
        .toEqual(['fine@example.org', 'flaky@example.org']);
      // Each recipient was deferred (451) twice, then accepted on the third attempt.
      expect(failures.sort()).toEqual([
        'fine@example.org',
        'fine@example.org',
        'flaky@example.org',
        'flaky@example.org',
      ]);
      const received = sink.received[0];
      expect(received?.mailFrom).toBe('');
      expect((await simpleParser(received?.raw ?? Buffer.alloc(0))).subject).toBe('Hello');
    } finally {
      await worker.close();
      await queue.close();
      await sender.close();
    }
  });

  it('refuses to queue what is not a list mail (the job shape is checked before it crosses Redis)', async () => {
    const queue = createListMailQueue(redis.connection);
    try {
      await expect(
        queue.enqueue({ ...mail('a@example.org'), to: 42 } as unknown as OutgoingMail),
      ).rejects.toThrow();
      await expect(
        queue.enqueue({ ...mail('a@example.org'), bcc: 'spy@example.net' } as unknown as OutgoingMail),
      ).rejects.toThrow();
    } finally {
      await queue.close();
    }
  });
});
