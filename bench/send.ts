// `npm run bench:send [-- --subscribers 20000 --connections 5]`
//
// Delivers issue 005's email to N subscribers through the whole pipeline (publish: snapshot,
// batches, BullMQ jobs; an in-process worker: claim, personalise, SMTP pool, results written back)
// and, in the same run, the baseline: a bare nodemailer pool sending the same message to the same
// sink. Prints both rates, their ratio, peak RSS of this (publishing) process and Redis memory.
//
// Sink: postfix's smtp-sink when installed, else an in-process smtp-server. Database: DATABASE_URL,
// else a throwaway PostgreSQL from the machine's binaries. Redis: a throwaway redis-server.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Redis } from 'ioredis';
import nodemailer from 'nodemailer';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { publishIssue } from '../src/campaigns/publish.ts';
import { watchCampaign } from '../src/campaigns/watch.ts';
import { loadConfig } from '../src/config.ts';
import { composeCampaignMessage, unrecordedCampaign } from '../src/delivery/campaign-message.ts';
import { DEFAULT_SETTINGS, openDelivery } from '../src/delivery/runtime.ts';
import { loadIssue } from '../src/issue/load.ts';
import { renderEmail } from '../src/render/email/index.ts';
import { renderText } from '../src/render/text/index.ts';
import { createTokens } from '../src/tokens.ts';
import { freePort } from '../test/support/ports.ts';
import { startPostgres } from '../test/support/postgres.ts';

/** Run as the benchmark, not imported for its helpers (bench/scale.ts): only then are the arguments ours. */
const direct = import.meta.url === pathToFileURL(process.argv[1] ?? '').href;
const { values: args } = parseArgs({
  args: direct ? undefined : [],
  options: {
    subscribers: { type: 'string', default: '20000' },
    connections: { type: 'string', default: String(DEFAULT_SETTINGS.connections) },
    'batch-size': { type: 'string', default: String(DEFAULT_SETTINGS.batchSize) },
    concurrency: { type: 'string', default: String(DEFAULT_SETTINGS.workerConcurrency) },
    issue: { type: 'string', default: 'issues/global-eye/005.md' },
    /** For large N, when only the pipeline's memory is of interest. */
    'skip-baseline': { type: 'boolean', default: false },
  },
});
const N = Number(args.subscribers);
const CONNECTIONS = Number(args.connections);
const SECRET = 'bench-secret-bench-secret-bench-secret-00';

/** Peak RSS of this process and peak Redis memory, sampled every 250 ms. */
function sampler(redis: Redis) {
  const peak = { rss: 0, redis: 0 };
  const sample = async () => {
    peak.rss = Math.max(peak.rss, process.memoryUsage().rss);
    const info = await redis.info('memory').catch(() => '');
    peak.redis = Math.max(peak.redis, Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0));
  };
  const timer = setInterval(() => void sample(), 250);
  return {
    peak,
    reset: async () => {
      await sample();
      peak.rss = process.memoryUsage().rss;
      peak.redis = 0;
    },
    stop: () => clearInterval(timer),
  };
}

export async function startSink(): Promise<{ url: string; kind: string; stop(): Promise<void> }> {
  const port = await freePort();
  const binary = '/usr/sbin/smtp-sink';
  if (existsSync(binary)) {
    const asRoot = process.getuid?.() === 0 ? ['-u', 'nobody'] : [];
    const child: ChildProcess = spawn(binary, [...asRoot, '-m', '1000', `127.0.0.1:${port}`, '1024'], {
      stdio: 'ignore',
    });
    await new Promise((r) => setTimeout(r, 300));
    return {
      url: `smtp://127.0.0.1:${port}`,
      kind: 'postfix smtp-sink',
      stop: async () => {
        child.kill();
      },
    };
  }
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('end', () => callback());
      stream.resume();
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${port}`,
    kind: 'in-process smtp-server',
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export async function startRedis(): Promise<{ url: string; stop(): void }> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'],
    {
      stdio: 'ignore',
    },
  );
  await new Promise((r) => setTimeout(r, 300));
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill() };
}

/** CPU time (user + system) this process spends per message: unlike msg/s, not skewed by other load. */
export function cpuMeter(messages: number) {
  const start = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(start);
    return (used.user + used.system) / messages;
  };
}

/** The baseline: the same message, a bare nodemailer pool, as many messages in flight as the pipeline allows. */
async function baseline(
  url: string,
  message: Buffer,
  inFlight: number,
): Promise<{ rate: number; cpuUs: number }> {
  const transport = nodemailer.createTransport({
    url,
    pool: true,
    maxConnections: CONNECTIONS,
    maxMessages: DEFAULT_SETTINGS.messagesPerConnection,
  });
  const started = performance.now();
  const cpu = cpuMeter(N);
  let next = 0;
  const loop = async () => {
    for (let i = next++; i < N; i = next++) {
      await transport.sendMail({
        envelope: { from: 'globaleye+bounce-x@example.org', to: `r${i}@example.net` },
        raw: message,
      });
    }
  };
  await Promise.all(Array.from({ length: inFlight }, loop));
  const seconds = (performance.now() - started) / 1000;
  const cpuUs = cpu();
  transport.close();
  return { rate: N / seconds, cpuUs };
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

async function main() {
  const { issue } = loadIssue(args.issue);
  if (!issue) throw new Error(`${args.issue} does not load`);
  const [sink, redisServer] = await Promise.all([startSink(), startRedis()]);
  const postgres = process.env.DATABASE_URL ? undefined : await startPostgres();
  const databaseUrl = process.env.DATABASE_URL ?? (await postgres?.createDatabase());
  const config = loadConfig({
    BULLETIN_DATA_DIR: mkdtempSync(join(tmpdir(), 'bulletin-bench-')),
    PUBLIC_URL: 'https://bulletin.example.org',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisServer.url,
    SMTP_URL: sink.url,
    BULLETIN_SECRET: SECRET,
    LOG_LEVEL: 'warn',
  });
  const settings = {
    ...DEFAULT_SETTINGS,
    connections: CONNECTIONS,
    batchSize: Number(args['batch-size']),
    workerConcurrency: Number(args.concurrency),
  };
  const delivery = await openDelivery(config, settings, pino({ level: 'warn' }));
  const memory = sampler(delivery.redis);
  try {
    process.stdout.write(`machine: ${cpus().length} × ${cpus()[0]?.model}, Node ${process.version}\n`);
    process.stdout.write(
      `sink: ${sink.kind}; subscribers: ${N}; connections: ${CONNECTIONS}; batch size ${settings.batchSize}\n`,
    );

    await delivery.db.query(
      `INSERT INTO subscribers (publication, email, status, source, created_at, updated_at, confirmed_at, consent_method)
       SELECT $1, 'r' || i || '@example.net', 'confirmed', 'import', now(), now(), now(), 'cli' FROM generate_series(1, $2) AS i`,
      [issue.publication.slug, N],
    );

    // The same finished message for every copy of the baseline: one recipient's personalisation.
    const campaignLike = await composeCampaignMessage(
      unrecordedCampaign(
        issue,
        { subject: issue.title, html: (await renderEmail(issue)).html, text: renderText(issue) },
        config.publicUrl,
        1,
      ),
      createTokens(Buffer.from(SECRET)),
      new Date(),
    );
    const message = campaignLike.template.personalise(
      campaignLike.recipient({ id: 1, email: 'r1@example.net' }),
    );
    // The machine is shared: the baseline runs before and after the pipeline, and the pipeline is
    // compared with their mean, so load that drifts during the run affects both sides alike.
    const inFlight = settings.workerConcurrency * settings.connections;
    const runBaseline = async (when: string) => {
      if (args['skip-baseline']) return undefined;
      const result = await baseline(sink.url, message, inFlight);
      process.stdout.write(
        `baseline ${when} (bare nodemailer pool, ${(message.length / 1024).toFixed(0)} KiB message): ${result.rate.toFixed(0)} msg/s, ${result.cpuUs.toFixed(0)} µs CPU/msg\n`,
      );
      return result;
    };
    const before = await runBaseline('before');

    await memory.reset();
    const started = performance.now();
    const { campaign } = await publishIssue(delivery, issue, {
      dataDir: config.dataDir,
      publicUrl: config.publicUrl,
      batchSize: settings.batchSize,
      resendFailed: false,
      now: new Date(),
    });
    const enqueued = performance.now();
    const cpu = cpuMeter(N);
    delivery.startWorker();
    const finished = await watchCampaign(delivery.db, campaign.id, () => {}, 200);
    const done = performance.now();
    const pipelineCpuUs = cpu();
    if (finished.status !== 'done')
      throw new Error(`campaign ended ${finished.status}: ${finished.statusReason}`);

    const sendRate = N / ((done - enqueued) / 1000);
    const overallRate = N / ((done - started) / 1000);
    const peak = { ...memory.peak };
    process.stdout.write(
      `publish (render, snapshot ${N} recipients, enqueue ${Math.ceil(N / settings.batchSize)} jobs): ${((enqueued - started) / 1000).toFixed(1)} s\n`,
    );
    process.stdout.write(
      `pipeline, enqueued to last message: ${sendRate.toFixed(0)} msg/s, ${pipelineCpuUs.toFixed(0)} µs CPU/msg in this process\n`,
    );
    process.stdout.write(`pipeline, publish to last message: ${overallRate.toFixed(0)} msg/s\n`);
    process.stdout.write(
      `peak RSS of the publishing process: ${mib(peak.rss)}; peak Redis used_memory: ${mib(peak.redis)}\n`,
    );
    const after = await runBaseline('after');
    if (before && after) {
      const mean = (before.rate + after.rate) / 2;
      const meanCpu = (before.cpuUs + after.cpuUs) / 2;
      process.stdout.write(
        `ratio pipeline / baseline (mean ${mean.toFixed(0)} msg/s): ${(sendRate / mean).toFixed(2)} sending, ${(overallRate / mean).toFixed(2)} end to end; CPU per message ${(pipelineCpuUs / meanCpu).toFixed(2)} × the baseline's\n`,
      );
    }
  } finally {
    memory.stop();
    await delivery.close();
    await sink.stop();
    redisServer.stop();
    await postgres?.stop();
  }
}

if (direct) await main();
