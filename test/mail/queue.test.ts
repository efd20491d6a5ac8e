import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutgoingMail } from '../../src/mail/message.ts';
import { createListMailQueue, startListMailWorker } from '../../src/mail/queue.ts';
import type { MailTransport } from '../../src/mail/transport.ts';
import { startRedis } from '../support/redis.ts';

const mail = (to: string): OutgoingMail => ({
  from: { name: 'List', address: 'list@example.org' },
  to,
  subject: 'Hello',
  text: 'Hi\n',
  returnPath: null,
});

describe('the list-mail queue', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis.stop());

  it('sends queued mail through the transport, retrying failures', async () => {
    const delivered: string[] = [];
    const failures: string[] = [];
    let flakyAttempts = 0;
    const transport: MailTransport = {
      async send(m) {
        if (m.to === 'flaky@example.org' && ++flakyAttempts < 3) throw new Error('421 try later');
        delivered.push(m.to);
        return '<id>';
      },
      close() {},
    };
    const queue = createListMailQueue(redis.connection, { firstRetryDelayMs: 10 });
    const worker = startListMailWorker(redis.connection, transport, { onFailed: (m) => failures.push(m.to) });
    try {
      await queue.enqueue(mail('flaky@example.org'));
      await queue.enqueue(mail('fine@example.org'));
      await expect
        .poll(() => delivered.sort(), { timeout: 10_000 })
        .toEqual(['fine@example.org', 'flaky@example.org']);
      expect(failures).toEqual(['flaky@example.org', 'flaky@example.org']);
    } finally {
      await worker.close();
      await queue.close();
    }
  });
});
