// The sender the configuration asks for; callers see only the Sender interface (sender.ts).

import { outboxDir, outboxSender } from './outbox.ts';
import type { Sender } from './sender.ts';
import { type SmtpPoolOptions, smtpPoolSender } from './smtp-pool.ts';

export type PoolSettings = Omit<SmtpPoolOptions, 'url'>;

/** The sender the configuration asks for: SMTP_URL's server through a pool, or the outbox. */
export function openSender(config: { smtpUrl?: string; dataDir: string }, pool: PoolSettings): Sender {
  return config.smtpUrl
    ? smtpPoolSender({ url: config.smtpUrl, ...pool })
    : outboxSender(outboxDir(config.dataDir));
}
