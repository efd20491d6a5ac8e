import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { type Clock, systemClock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { SmtpLimits } from '../inbound/smtp.ts';
import type { List } from '../list/list.ts';
import type { ListMailer } from '../list/mail.ts';
import { BulletinError, fail } from '../problems.ts';
import type { RedisService } from '../services/redis.ts';
import type { Db } from '../store/db.ts';
import type { Tokens } from '../tokens.ts';
import type { CliContext } from './context.ts';
import { type Listen, parseListen } from './listen.ts';
import { shutdownSignal } from './worker.ts';

const CLOSE_STEP_TIMEOUT_MS = 3_000;

export interface ListServiceOptions {
  config: Config;
  issuesDir: string;
  http: Listen;
  smtp: Listen;
  smtpLimits?: Partial<SmtpLimits>;
  log: Logger;
  clock?: Clock;
}

/** What the running service is made of; route registrars and tests get it. */
export interface ListService {
  config: Config;
  lists: List[];
  db: Db;
  redis: RedisService;
  tokens: Tokens;
  mailer: ListMailer;
  http: FastifyInstance;
  smtpPort: number;
  httpPort: number;
  stop(): Promise<void>;
}

/** Starts everything `bulletin serve` runs; `stop` undoes it in reverse order. */
export async function startListService(options: ListServiceOptions): Promise<ListService> {
  const { config, log } = options;
  const clock = options.clock ?? systemClock;
  // Loaded here, not at the top: only `serve` pays for them (see main.ts).
  const [
    { createInboundHandler },
    { parseImapUrl, startImapPolling },
    { createListSmtpServer },
    { createListMailQueue, LIST_MAIL_CONCURRENCY, startListMailWorker },
    { loadListTemplates },
    { openSender },
    { useRedis },
    { openStore },
    { createListActions },
    { loadLists },
    { createTokens },
    { installationSecret },
    { createReadinessProbe },
    { healthRoutes },
    { adminRoutes },
    site,
    { listPages },
    { buildServer },
  ] = await Promise.all([
    import('../inbound/handler.ts'),
    import('../inbound/imap.ts'),
    import('../inbound/smtp.ts'),
    import('../queue/list-mail.ts'),
    import('../list/templates.ts'),
    import('../outbound/open.ts'),
    import('../services/redis.ts'),
    import('../store/open.ts'),
    import('../subscribers/actions.ts'),
    import('../subscribers/lists.ts'),
    import('../tokens.ts'),
    import('../store/installation-secret.ts'),
    import('../health/readiness.ts'),
    import('../health/http.ts'),
    import('../web/admin.ts'),
    import('../site/index.ts'),
    import('../web/list-pages.ts'),
    import('../web/server.ts'),
  ]);
  const { lists, publications, problems } = loadLists(options.issuesDir);
  if (problems.length) throw new BulletinError(problems);
  if (!lists.length)
    fail(
      'no-publications',
      `No publications in ${options.issuesDir}.`,
      'Create issues/<slug>/publication.yml.',
    );

  const cleanup: (() => Promise<unknown> | unknown)[] = [];
  const stop = async () => {
    for (const step of cleanup.reverse()) {
      try {
        // A step whose server is gone (Redis, the database) is not waited for past the bound.
        await Promise.race([step(), sleep(CLOSE_STEP_TIMEOUT_MS, undefined, { ref: false })]);
      } catch (err) {
        log.warn({ err }, 'error while stopping');
      }
    }
    cleanup.length = 0;
  };
  try {
    const db = await openStore(config, {
      warn: (message) => log.warn(message),
      info: (message) => log.info(message),
    });
    cleanup.push(() => db.close());
    const redis = await useRedis(config, {
      onRestart: () => log.warn('the private redis-server was down: started it again (from its AOF)'),
    });
    cleanup.push(() => redis.release());
    // List mail leaves through the one Sender, one pooled connection per concurrent send.
    const sender = openSender(config, { connections: LIST_MAIL_CONCURRENCY, messagesPerConnection: 100 });
    cleanup.push(() => sender.close());
    const queue = createListMailQueue(redis.connection);
    cleanup.push(() => queue.close());
    let warnedAt = -Infinity; // about one line per outage, not one per reconnection attempt
    const worker = startListMailWorker(redis.connection, sender, {
      onFailed: (mail, err) =>
        log.warn({ err, to: mail.to, subject: mail.subject }, 'list mail not sent (will retry)'),
      onError: (err) => {
        if (performance.now() - warnedAt > 60_000)
          log.warn({ err: err.message }, 'list-mail worker: Redis does not answer; paused until it does');
        warnedAt = performance.now();
      },
    });
    cleanup.push(() => worker.close());

    const tokens = createTokens(await installationSecret(db, config), clock);
    const deps = {
      db,
      lists,
      tokens,
      mailer: queue,
      templates: loadListTemplates(),
      publicUrl: config.publicUrl,
      clock,
      log,
    };
    const actions = createListActions(deps);

    const handler = createInboundHandler({ ...deps, actions });
    const tls = config.smtpTls && {
      cert: readFileSync(config.smtpTls.certFile),
      key: readFileSync(config.smtpTls.keyFile),
    };
    const smtp = createListSmtpServer(handler, { limits: options.smtpLimits, tls, log, clock });
    const smtpPort = await smtp.listen(options.smtp.port, options.smtp.host);
    cleanup.push(() => smtp.close());

    if (config.imap) {
      const polling = startImapPolling(parseImapUrl(config.imap.url, config.imap.processedFolder), handler, {
        intervalMs: config.imap.pollSeconds * 1000,
        log,
        // A mailbox of the only list receives its Bcc'd mail too.
        fallbackRecipient: lists.length === 1 ? lists[0]?.address : undefined,
      });
      cleanup.push(() => polling.stop());
    }

    // Scheduled campaigns start here at their time (their editions land in this data dir);
    // `bulletin worker` processes deliver them.
    const scheduler = await startServeScheduler(db, redis, config, log, clock);
    cleanup.push(() => scheduler.close());

    const readiness = createReadinessProbe({ db, redis: redis.connection, smtpUrl: config.smtpUrl, log });
    cleanup.push(() => readiness.close());

    // What was published before this start (or by a publish that could not reach the database).
    const recorded = await site.recordEarlierEditions(config.dataDir, options.issuesDir, lists);
    if (recorded.length) log.info({ issues: recorded }, 'issues published before the site recorded for it');
    const indexed = await site.syncSearchIndex(db, config.dataDir, lists);
    if (indexed) log.info({ issues: indexed }, 'search index brought up to date');

    const http = await buildServer({
      routes: [
        healthRoutes(readiness),
        listPages(actions, undefined, clock),
        site.siteRoutes({
          dataDir: config.dataDir,
          publicUrl: config.publicUrl,
          publications: publications.map(site.sitePublication),
          published: site.publishedIssues(site.publishedRoot(config.dataDir)),
          db,
        }),
        adminRoutes({
          user: config.adminUser,
          password: config.adminPassword,
          publicUrl: config.publicUrl,
          connection: redis.connection,
        }),
      ],
      logger: log,
      trustProxy: config.trustProxy,
    });
    await http.listen({ host: options.http.host, port: options.http.port });
    cleanup.push(() => http.close());
    const address = http.server.address();
    const httpPort = typeof address === 'object' && address ? address.port : options.http.port;

    return { config, lists, db, redis, tokens, mailer: queue, http, smtpPort, httpPort, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function startServeScheduler(db: Db, redis: RedisService, config: Config, log: Logger, clock: Clock) {
  const [
    { openQueueConnection },
    { openDeliveryQueue },
    { startScheduler },
    { DEFAULT_SETTINGS },
    { indexForSearch },
  ] = await Promise.all([
    import('../queue/index.ts'),
    import('../queue/delivery-queue.ts'),
    import('../campaigns/scheduler.ts'),
    import('../delivery/settings.ts'),
    import('./worker.ts'),
  ]);
  const connection = await openQueueConnection(redis.connection, log);
  const deliveryQueue = openDeliveryQueue(connection, DEFAULT_SETTINGS, (err) =>
    log.warn({ err: err.message }, 'delivery queue error'),
  );
  const scheduler = startScheduler({
    db,
    connection,
    deliveryQueue,
    dataDir: config.dataDir,
    clock,
    logger: log,
    sweepIntervalMs: DEFAULT_SETTINGS.reconcileIntervalMs,
    onStarted: indexForSearch(db, config.dataDir),
  });
  return {
    async close() {
      await scheduler.close();
      await deliveryQueue.close();
      connection.disconnect();
    },
  };
}

/** "127.0.0.1:3000", "[::1]:25" or ":2525" (all interfaces). */
export function registerServe(program: Command, context: CliContext): void {
  program
    .command('serve')
    .description(
      'run the list server: SMTP for the list addresses, HTTP for confirm/unsubscribe pages, the list-mail worker',
    )
    .option('--http <host:port>', 'HTTP listen address', '127.0.0.1:3000')
    .option('--smtp <host:port>', 'SMTP listen address', '127.0.0.1:2525')
    .option('--issues <dir>', 'where publications live', 'issues')
    .action(async (options: { http: string; smtp: string; issues: string }) => {
      const config = context.config();
      const { default: pino } = await import('pino');
      const log = pino({ level: config.logLevel }, pino.destination(2));
      const service = await startListService({
        config,
        issuesDir: options.issues,
        http: parseListen(options.http),
        smtp: parseListen(options.smtp),
        log,
        clock: context.clock,
      });
      for (const list of service.lists) log.info({ list: list.slug, address: list.address }, 'serving list');
      log.info({ smtp: service.smtpPort, http: service.httpPort }, 'bulletin serve is ready');
      await shutdownSignal();
      log.info('stopping');
      await service.stop();
    });
}
