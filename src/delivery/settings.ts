// How delivery is tuned: the flags of `publish` and `worker` and their defaults. Kept apart from
// the runtime so that defining those commands loads no queue, database or SMTP code.

export interface DeliverySettings {
  /** Recipients per job. */
  batchSize: number;
  /** Batches one worker process works on at once. */
  workerConcurrency: number;
  /** SMTP connections per worker process, and messages per connection before reconnecting. */
  connections: number;
  messagesPerConnection: number;
  /** Messages per second per worker process; 0: as fast as the server takes them. */
  ratePerSecond: number;
  /** Attempts per batch and the first backoff (doubling, with jitter). */
  attempts: number;
  backoffMs: number;
  /** Consecutive failed sends that pause a campaign. */
  breakerThreshold: number;
  lockDurationMs: number;
  reconcileIntervalMs: number;
  /** Results per database write, and the longest they wait (the duplicate bound, see README). */
  flushEvery: number;
  flushIntervalMs: number;
  dkim?: { domainName: string; keySelector: string; privateKey: string };
}

export const DEFAULT_SETTINGS: DeliverySettings = {
  batchSize: 100,
  workerConcurrency: 4,
  connections: 5,
  messagesPerConnection: 100,
  ratePerSecond: 0,
  attempts: 8,
  backoffMs: 30_000,
  breakerThreshold: 50,
  lockDurationMs: 30_000,
  reconcileIntervalMs: 15_000,
  flushEvery: 50,
  flushIntervalMs: 500,
};
