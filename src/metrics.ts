// src/metrics: the process's Prometheus metrics (prom-client). One registry per process; the
// floors above count through the small functions here (messages per campaign, inbound mail by
// kind, HTTP requests by route), hand in what is read at scrape time (queue depth), and
// health/http.ts answers /metrics with `metricsText`. Tests read values with `metricValue`.
// Every label has few values: a campaign per issue (the oldest dropped past a bound), a kind from
// a fixed list, a route pattern (never the raw URL), a status class.

import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

const registry = new Registry();

/** What became of one message of a campaign, as the delivering worker saw it. */
export type MessageOutcome = 'sent' | 'deferred' | 'failed' | 'bounced' | 'skipped';

/** What a message to a list address turned out to be (src/inbound), or that it was refused. */
export type InboundKind =
  | 'subscribe'
  | 'unsubscribe'
  | 'help'
  | 'set'
  | 'confirm'
  | 'contribution'
  | 'bounce'
  | 'complaint'
  | 'automatic'
  | 'rejected';

const messages = new Counter({
  name: 'bulletin_messages_total',
  help: 'Campaign messages by campaign (publication/issue) and outcome: sent, deferred (retried later), failed, bounced, skipped',
  labelNames: ['campaign', 'outcome'] as const,
  registers: [registry],
});

const inbound = new Counter({
  name: 'bulletin_inbound_messages_total',
  help: 'Messages to the list addresses by what they were: subscribe, unsubscribe, help, set, confirm, contribution, bounce, complaint, automatic (auto-replies, loops), rejected (refused at SMTP)',
  labelNames: ['kind'] as const,
  registers: [registry],
});

const httpDuration = new Histogram({
  name: 'bulletin_http_request_duration_seconds',
  help: 'HTTP requests by route pattern, method and status class',
  labelNames: ['route', 'method', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

/** Jobs per queue and state, read from Redis when scraped. */
export interface QueueDepth {
  queue: string;
  state: string;
  jobs: number;
}

/** Set by the queues' owner; the last one still set is read (one per process, but for tests). */
const queueDepthSources: (() => Promise<QueueDepth[]>)[] = [];

new Gauge({
  name: 'bulletin_queue_jobs',
  help: 'Jobs in each BullMQ queue by state (waiting, active, delayed, prioritized), read from Redis at scrape time',
  labelNames: ['queue', 'state'] as const,
  registers: [registry],
  async collect() {
    this.reset(); // Redis not answering shows as no series rather than stale ones
    const source = queueDepthSources.at(-1);
    if (!source) return;
    for (const { queue, state, jobs } of await source().catch(() => [])) this.set({ queue, state }, jobs);
  },
});

/** Campaigns whose counters a process keeps; older ones are dropped (their totals are in the database). */
const MAX_CAMPAIGNS = 20;
const OUTCOMES: readonly MessageOutcome[] = ['sent', 'deferred', 'failed', 'bounced', 'skipped'];
const campaigns = new Set<string>();

export function countMessage(campaign: string, outcome: MessageOutcome): void {
  if (!campaigns.has(campaign)) {
    campaigns.add(campaign);
    for (const oldest of campaigns) {
      if (campaigns.size <= MAX_CAMPAIGNS) break;
      campaigns.delete(oldest);
      for (const dropped of OUTCOMES) messages.remove({ campaign: oldest, outcome: dropped });
    }
  }
  messages.inc({ campaign, outcome });
}

export function countInbound(kind: InboundKind): void {
  inbound.inc({ kind });
}

/** `route` is the pattern that matched (`/:publication/:issue/*`), or "unmatched". */
export function observeHttpRequest(route: string, method: string, status: number, seconds: number): void {
  httpDuration.observe({ route, method, status: `${Math.floor(status / 100)}xx` }, seconds);
}

/** What the queue depth gauge reads at each scrape. Returns its removal. */
export function setQueueDepthSource(source: () => Promise<QueueDepth[]>): () => void {
  queueDepthSources.push(source);
  return () => {
    const index = queueDepthSources.indexOf(source);
    if (index >= 0) queueDepthSources.splice(index, 1);
  };
}

let processMetrics = false;

/** CPU, memory, event-loop lag, GC…: started by the long-running processes (`serve`, `worker`). */
export function collectProcessMetrics(): void {
  if (processMetrics) return;
  processMetrics = true;
  collectDefaultMetrics({ register: registry });
}

export const METRICS_CONTENT_TYPE = registry.contentType;

/** The text exposition format, for GET /metrics. */
export function metricsText(): Promise<string> {
  return registry.metrics();
}

/** One series' value (a histogram's count), 0 when it has none: for tests and checks. */
export async function metricValue(name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  const wanted = Object.entries(labels);
  const isHistogram = values.some((v) => (v as { metricName?: string }).metricName?.endsWith('_count'));
  return values
    .filter((v) => !isHistogram || (v as { metricName?: string }).metricName?.endsWith('_count'))
    .filter((v) =>
      wanted.every(([key, value]) => String((v.labels as Record<string, unknown>)[key]) === value),
    )
    .reduce((sum, v) => sum + v.value, 0);
}
