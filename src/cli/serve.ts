import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
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
    { openQueueConnection },
    { createListActions },
    { loadLists },
    { createTokens },
    { installationSecret },
    { createReadinessProbe },
    { healthRoutes },
    admin,
    { campaignsSection },
    { subscribersSection },
    { contributionsSection },
    { editionsCache, storeLocalOnlyIssues },
    { openQueueDepths },
    { collectProcessMetrics, setQueueDepthSource },
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
    import('../queue/index.ts'),
    import('../subscribers/actions.ts'),
    import('../subscribers/lists.ts'),
    import('../tokens.ts'),
    import('../store/installation-secret.ts'),
    import('../health/readiness.ts'),
    import('../health/http.ts'),
    import('../admin/index.ts'),
    import('../admin/campaigns.ts'),
    import('../admin/subscribers.ts'),
    import('../admin/contributions.ts'),
    import('../campaigns/published-editions.ts'),
    import('../queue/index.ts'),
    import('../metrics.ts'),
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
    // Serve is ready only once Redis answers (else one line and exit); this connection then logs
    // an outage once and the recovery once, for the list-mail queue and worker that share Redis.
    const watched = await openQueueConnection(redis.connection, log);
    cleanup.push(() => watched.disconnect());
    // List mail leaves through the one Sender, one pooled connection per concurrent send.
    const sender = openSender(config, { connections: LIST_MAIL_CONCURRENCY, messagesPerConnection: 100 });
    cleanup.push(() => sender.close());
    const queue = createListMailQueue(redis.connection);
    cleanup.push(() => queue.close());
    const worker = startListMailWorker(redis.connection, sender, {
      onFailed: (mail, err) =>
        log.warn({ err, to: mail.to, subject: mail.subject }, 'list mail not sent (will retry)'),
      // An outage of Redis is logged once by the watched connection above; the worker's own
      // reconnection errors would repeat it.
      onError: (err) => log.debug({ err: err.message }, 'list-mail worker: Redis error'),
    });
    cleanup.push(() => worker.close());

    const secret = await installationSecret(db, config);
    const tokens = createTokens(secret, clock);
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
    const smtpPort = await listenOrFail('--smtp', options.smtp, () =>
      smtp.listen(options.smtp.port, options.smtp.host),
    );
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

    // Scheduled campaigns start here at their time; `bulletin worker` processes deliver them.
    const scheduler = await startServeScheduler(db, watched, config, log, clock);
    cleanup.push(() => scheduler.close());

    const readiness = createReadinessProbe({
      db,
      redis: redis.connection,
      smtpUrl: config.smtpUrl,
      // The database's and Redis's outages are logged once by their own connections.
      log: {
        warn: (o, message) => (o as { dependency?: string }).dependency === 'smtp' && log.warn(o, message),
        info: (o, message) => (o as { dependency?: string }).dependency === 'smtp' && log.info(o, message),
      },
    });
    cleanup.push(() => readiness.close());
    collectProcessMetrics();
    const depths = openQueueDepths(redis.connection);
    const unsetDepths = setQueueDepthSource(depths.read);
    cleanup.push(() => {
      unsetDepths();
      return depths.close();
    });

    // What was published before this start (or by a publish that could not reach the database).
    const recorded = await site.recordEarlierEditions(config.dataDir, options.issuesDir, lists);
    if (recorded.length) log.info({ issues: recorded }, 'issues published before the site recorded for it');
    // The database holds the editions for every machine; the data dir's folder is this one's cache.
    const editionsFolder = site.publishedRoot(config.dataDir);
    const uploaded = await storeLocalOnlyIssues(db, editionsFolder);
    if (uploaded.length) log.info({ issues: uploaded }, 'editions stored in the database for every machine');
    const editions = editionsCache(db, editionsFolder);
    const fetched = await editions.syncAll();
    if (fetched.length) log.info({ issues: fetched }, 'editions fetched from the database');
    const following = editions.follow((err) => log.warn({ err }, 'editions not brought up to date'));
    cleanup.push(() => following.close());
    const indexed = await site.syncSearchIndex(db, config.dataDir, lists);
    if (indexed) log.info({ issues: indexed }, 'search index brought up to date');

    // The published editions' folder, served from the first start on (nothing published yet).
    mkdirSync(site.publishedRoot(config.dataDir), { recursive: true });
    const http = await buildServer({
      routes: [
        // Readers reach this port: /metrics only with METRICS_TOKEN.
        healthRoutes(readiness, { token: config.metricsToken, openWithoutToken: false }),
        listPages(actions, undefined, clock),
        site.siteRoutes({
          dataDir: config.dataDir,
          publicUrl: config.publicUrl,
          publications: publications.map(site.sitePublication),
          published: site.publishedIssues(editionsFolder),
          db,
          fillMiss: editions.fillMiss,
        }),
        admin.adminRoutes({
          db,
          installationSecret: secret,
          environmentAccount: config.adminPassword
            ? { name: config.adminUser, password: config.adminPassword }
            : undefined,
          publicUrl: config.publicUrl,
          connection: redis.connection,
          sections: [
            campaignsSection({ db, connection: redis.connection, log, clock }),
            subscribersSection({ db, lists, actions, clock, log }),
            contributionsSection({ db, lists, clock }),
          ],
        }),
      ],
      logger: log,
      trustProxy: config.trustProxy,
    });
    await listenOrFail('--http', options.http, () =>
      http.listen({ host: options.http.host, port: options.http.port }),
    );
    cleanup.push(() => http.close());
    const address = http.server.address();
    const httpPort = typeof address === 'object' && address ? address.port : options.http.port;

    return { config, lists, db, redis, tokens, mailer: queue, http, smtpPort, httpPort, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Listens on `at` and closes again at once: whether the address can be listened on. */
function tryListening(at: Listen): Promise<void> {
  if (at.port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(at.port, at.host, () => server.close(() => resolve()));
  });
}

/** Listens, or fails with one line saying which address and what to do. */
async function listenOrFail<T>(flag: string, at: Listen, listen: () => Promise<T>): Promise<T> {
  try {
    return await listen();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const where = `${at.host.includes(':') ? `[${at.host}]` : at.host}:${at.port}`;
    if (code === 'EADDRINUSE')
      fail(
        'port-in-use',
        `${where} (${flag}) is already in use: another bulletin serve, or another server, listens there.`,
        `Stop it, or choose another address with ${flag} host:port.`,
      );
    if (code === 'EACCES')
      fail('port-denied', `${where} (${flag}) needs privileges.`, `Choose a port above 1023 with ${flag}.`);
    throw err;
  }
}

/** The scheduler, on serve's watched Redis connection: its outage is logged once, by that connection. */
async function startServeScheduler(
  db: Db,
  connection: Awaited<ReturnType<typeof import('../queue/index.ts').openQueueConnection>>,
  config: Config,
  log: Logger,
  clock: Clock,
) {
  const [{ openDeliveryQueue }, { startScheduler }, { DEFAULT_SETTINGS }, { indexForSearch }] =
    await Promise.all([
      import('../queue/delivery-queue.ts'),
      import('../campaigns/scheduler.ts'),
      import('../delivery/settings.ts'),
      import('./worker.ts'),
    ]);
  const deliveryQueue = openDeliveryQueue(connection, DEFAULT_SETTINGS, (err) =>
    log.debug({ err: err.message }, 'delivery queue error'),
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
      // Not ready until what it was given answers: else one line each and exit, for the person
      // starting it or the supervisor (systemd, Docker) that restarts it. Sending list mail is
      // part of serving, so a refused SMTP login stops it too.
      const { reachDependencies } = await import('../health/startup.ts');
      const http = parseListen(options.http);
      const smtp = parseListen(options.smtp);
      // Its ports too: a port in use is said before anything starts (and again, should another
      // process take it meanwhile, when it listens for real).
      await Promise.all([
        reachDependencies(config, { smtp: true }),
        listenOrFail('--http', http, () => tryListening(http)),
        listenOrFail('--smtp', smtp, () => tryListening(smtp)),
      ]);
      const { createLogger } = await import('../log.ts');
      const log = createLogger(config);
      const service = await startListService({
        config,
        issuesDir: options.issues,
        http,
        smtp,
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
