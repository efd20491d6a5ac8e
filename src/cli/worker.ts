import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { DEFAULT_SETTINGS, type DeliverySettings } from '../delivery/settings.ts';
import type { CliContext } from './context.ts';

/** The delivery tuning flags shared by `publish` and `worker`. */
export function deliveryOptions(command: Command): Command {
  const int = (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number ≥ 0');
    return n;
  };
  const d = DEFAULT_SETTINGS;
  return command
    .option('--batch-size <n>', 'recipients per job', int, d.batchSize)
    .option('--concurrency <n>', 'batches in progress at once per worker process', int, d.workerConcurrency)
    .option('--connections <n>', 'SMTP connections per worker process', int, d.connections)
    .option(
      '--messages-per-connection <n>',
      'messages before an SMTP connection is renewed',
      int,
      d.messagesPerConnection,
    )
    .option('--rate <n>', 'messages per second per worker process (0: no limit)', int, d.ratePerSecond)
    .option('--attempts <n>', 'attempts per batch for temporary failures', int, d.attempts)
    .option('--backoff-ms <n>', 'first retry delay, doubling with jitter', int, d.backoffMs)
    .option(
      '--pause-after <n>',
      'consecutive failures that pause a campaign (0: never)',
      int,
      d.breakerThreshold,
    )
    .option('--lock-ms <n>', "how soon a dead worker's batches are taken over", int, d.lockDurationMs)
    .option(
      '--reconcile-ms <n>',
      'how often to check Redis still holds the queue',
      int,
      d.reconcileIntervalMs,
    )
    .option('--dkim-key <file>', 'PEM private key: sign every message with DKIM')
    .option('--dkim-selector <selector>', 'DKIM selector (with --dkim-key)', 'bulletin')
    .option('--dkim-domain <domain>', 'DKIM signing domain (default: the list address domain)');
}

export interface DeliveryFlags {
  batchSize: number;
  concurrency: number;
  connections: number;
  messagesPerConnection: number;
  rate: number;
  attempts: number;
  backoffMs: number;
  pauseAfter: number;
  lockMs: number;
  reconcileMs: number;
  dkimKey?: string;
  dkimSelector: string;
  dkimDomain?: string;
}

export function settingsFrom(flags: DeliveryFlags, listDomain?: string): DeliverySettings {
  const domainName = flags.dkimDomain ?? listDomain;
  return {
    ...DEFAULT_SETTINGS,
    batchSize: Math.max(1, flags.batchSize),
    workerConcurrency: Math.max(1, flags.concurrency),
    connections: Math.max(1, flags.connections),
    messagesPerConnection: Math.max(1, flags.messagesPerConnection),
    ratePerSecond: flags.rate,
    attempts: Math.max(1, flags.attempts),
    backoffMs: flags.backoffMs,
    breakerThreshold: flags.pauseAfter,
    lockDurationMs: Math.max(1000, flags.lockMs),
    reconcileIntervalMs: Math.max(1000, flags.reconcileMs),
    dkim:
      flags.dkimKey && domainName
        ? { domainName, keySelector: flags.dkimSelector, privateKey: readFileSync(flags.dkimKey, 'utf8') }
        : undefined,
  };
}

/**
 * The most a command takes to exit after SIGTERM (README): the batches in hand get
 * DRAIN_TIMEOUT_MS, closing the rest is bounded too; past this the process exits regardless.
 */
export const SHUTDOWN_BOUND_MS = 20_000;

/** Resolves on the first SIGTERM or SIGINT, and makes sure the process is gone SHUTDOWN_BOUND_MS later. */
export function shutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
      setTimeout(() => {
        process.stderr.write(`Still stopping ${SHUTDOWN_BOUND_MS / 1000} s after ${signal}: exiting now.\n`);
        process.exit(1);
      }, SHUTDOWN_BOUND_MS).unref();
      resolve(signal);
    };
    process.once('SIGTERM', on);
    process.once('SIGINT', on);
  });
}

export function registerWorker(program: Command, context: CliContext): void {
  deliveryOptions(
    program
      .command('worker')
      .description(
        'deliver queued campaigns until SIGTERM (run any number, anywhere that reaches Redis and the database)',
      )
      .option(
        '--health <host:port>',
        'answer /healthz, /readyz and /metrics here (default: HEALTH_LISTEN; unset: nowhere)',
      )
      .option('--no-scheduler', 'do not start scheduled campaigns here (serve and the other workers do)'),
  ).action(async (flags: DeliveryFlags & { health?: string; scheduler: boolean }) => {
    if (flags.dkimKey && !flags.dkimDomain) {
      context.stderr.write('error dkim-domain: --dkim-key needs --dkim-domain in a worker.\n');
      context.exitCode = 1;
      return;
    }
    const config = context.config();
    const healthListen = flags.health ?? config.healthListen;
    const { parseListen } = await import('./listen.ts');
    const listen = healthListen ? parseListen(healthListen) : undefined;
    // What it was given answers and lets it in, or one line each (a refused SMTP login too:
    // not every message deferred for minutes).
    const { reachDependencies } = await import('../health/startup.ts');
    await reachDependencies(config, { smtp: true });
    const { openDelivery } = await import('../delivery/runtime.ts');
    const { serveHealth } = await import('../health/http.ts');
    const delivery = await openDelivery(config, settingsFrom(flags));
    const metrics = listen && (await import('../metrics.ts'));
    const depths = listen && (await import('../queue/index.ts')).openQueueDepths(delivery.redisConnection);
    if (metrics && depths) {
      metrics.collectProcessMetrics();
      metrics.setQueueDepthSource(depths.read);
    }
    const health =
      listen &&
      (await serveHealth(
        listen,
        { db: delivery.db, redis: delivery.redisConnection, smtpUrl: config.smtpUrl, log: delivery.logger },
        // An internal address: open unless METRICS_TOKEN is set.
        { token: config.metricsToken, openWithoutToken: true },
      ).catch(async (err) => {
        await depths?.close();
        await delivery.close();
        throw err;
      }));
    delivery.startWorker();
    if (flags.scheduler) delivery.startScheduler(indexForSearch(delivery.db, config.dataDir));
    delivery.logger.info({ pid: process.pid, health: health?.port }, 'delivery worker started');
    const signal = await shutdownSignal();
    // Drain: batches in hand are finished and recorded; the rest stay queued for other workers.
    delivery.logger.info({ signal }, 'draining');
    await health?.close();
    await depths?.close();
    await delivery.close();
    delivery.logger.info('delivery worker stopped');
  });
}

/** A scheduled campaign that started here: its issue, now online, is indexed for the site's search. */
export function indexForSearch(db: import('../store/db.ts').Db, dataDir: string) {
  return async (campaign: { publication: string; issueCode: string }) => {
    const { indexPublishedIssue } = await import('../site/indexing.ts');
    await indexPublishedIssue(db, dataDir, campaign.publication, campaign.issueCode);
  };
}
