// `npm run bench:scale [-- --sizes 20000,200000,1000000]`
//
// Whether the cost per reader stays flat as the list grows: publishes issue 005 to each list size
// in turn through the whole pipeline (snapshot, batches, BullMQ jobs, an in-process worker, the
// SMTP pool, results written back), each size in a fresh database with its own Redis and sink,
// and prints per size: messages/s, CPU per message in this process and in PostgreSQL (unlike
// msg/s, not skewed by other load on the machine), the peak memory of every process, and the
// database's size per 100k readers; then the ratios of the largest size to the smallest.
//
// Database: a throwaway PostgreSQL from the machine's binaries, or the server at DATABASE_URL
// (a database per size is created there and dropped after). Sink and Redis: as bench/send.ts.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import pino from 'pino';
import { postgresLedger } from '../src/campaigns/postgres-ledger.ts';
import { publishIssue } from '../src/campaigns/publish.ts';
import { createCampaign } from '../src/campaigns/store.ts';
import { watchCampaign } from '../src/campaigns/watch.ts';
import { loadConfig } from '../src/config.ts';
import { DEFAULT_SETTINGS, openDelivery } from '../src/delivery/runtime.ts';
import { loadIssue } from '../src/issue/load.ts';
import type { Queryable } from '../src/store/db.ts';
import { migrate } from '../src/store/migrate.ts';
import { openPostgres } from '../src/store/postgres.ts';
import { startPostgres } from '../test/support/postgres.ts';
import { cpuMeter, startRedis, startSink } from './send.ts';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '20000,200000,1000000' },
    issue: { type: 'string', default: 'issues/global-eye/005.md' },
    /** Only the per-batch statements against the database: minutes at a million, not an hour. */
    'store-only': { type: 'boolean', default: false },
  },
});
const SIZES = args.sizes
  .split(',')
  .map(Number)
  .sort((a, b) => a - b);
if (SIZES.some((n) => !Number.isInteger(n) || n < 1000))
  throw new Error('--sizes takes list sizes of at least 1000, comma-separated, e.g. 20000,200000');
const SECRET = 'bench-secret-bench-secret-bench-secret-00';
const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

// ---- Processes, read from /proc (Linux) ----

function status(pid: number): Record<string, number> {
  const fields: Record<string, number> = Object.create(null);
  try {
    for (const line of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
      const m = /^(\w+):\s+(\d+) kB$/.exec(line);
      if (m) fields[m[1] as string] = Number(m[2]) * 1024;
    }
  } catch {
    // The process has exited.
  }
  return fields;
}

/** [ppid, utime + stime, cutime + cstime] in seconds; undefined once the process is gone. */
function stat(pid: number): { ppid: number; cpu: number; childrenCpu: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, inside parentheses).
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const n = (i: number) => Number(f[i - 3]);
    return {
      ppid: n(4),
      cpu: (n(14) + n(15)) / CLOCK_TICKS_PER_SECOND,
      childrenCpu: (n(16) + n(17)) / CLOCK_TICKS_PER_SECOND,
    };
  } catch {
    return undefined;
  }
}

function childrenOf(parent: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => stat(pid)?.ppid === parent);
}

const commandOf = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
};

/** The PostgreSQL server's postmaster, when it runs on this machine and we may read its data dir. */
async function postmasterPid(db: Queryable): Promise<number | undefined> {
  try {
    const { rows } = await db.query<{ dir: string }>(`SELECT current_setting('data_directory') AS dir`);
    const pid = Number(readFileSync(join(rows[0]?.dir ?? '', 'postmaster.pid'), 'utf8').split('\n')[0]);
    return stat(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** CPU seconds the whole server has used: the postmaster, its live children, and those it reaped. */
function serverCpu(postmaster: number | undefined): number {
  if (postmaster === undefined) return Number.NaN;
  const main = stat(postmaster);
  if (!main) return Number.NaN;
  return (
    main.cpu + main.childrenCpu + childrenOf(postmaster).reduce((sum, pid) => sum + (stat(pid)?.cpu ?? 0), 0)
  );
}

/**
 * Peak resident memory of each process of the run, sampled every 250 ms. PostgreSQL's is its
 * processes' private memory added up, plus its shared buffers once (each backend maps them).
 */
function memorySampler(processes: { redis?: number; sink?: number; postmaster?: number }) {
  const peak = { node: 0, postgres: 0, redis: 0, sink: 0 };
  let serverProcesses: number[] = [];
  let samples = 0;
  const sample = () => {
    // Listing /proc costs CPU in this process: the server's processes are looked up every 4 s.
    if (processes.postmaster && samples++ % 16 === 0)
      serverProcesses = [processes.postmaster, ...childrenOf(processes.postmaster)];
    peak.node = Math.max(peak.node, process.memoryUsage().rss);
    if (processes.redis) peak.redis = Math.max(peak.redis, status(processes.redis).VmRSS ?? 0);
    if (processes.sink) peak.sink = Math.max(peak.sink, status(processes.sink).VmRSS ?? 0);
    if (processes.postmaster) {
      let own = 0;
      let shared = 0;
      for (const pid of serverProcesses) {
        const s = status(pid);
        own += s.RssAnon ?? 0;
        shared = Math.max(shared, s.RssShmem ?? 0);
      }
      peak.postgres = Math.max(peak.postgres, own + shared);
    }
  };
  const timer = setInterval(sample, 250);
  sample();
  return {
    peak,
    stop() {
      clearInterval(timer);
      sample();
    },
  };
}

// ---- One list size ----

interface SizeResult {
  readers: number;
  publishSeconds: number;
  sendRate: number;
  nodeCpuUs: number;
  dbCpuUs: number;
  peak: { node: number; postgres: number; redis: number; sink: number };
  bytesPer100k: number;
  tables: Record<string, number>;
}

async function databaseBytes(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT pg_database_size(current_database())::text AS n');
  return Number(rows[0]?.n);
}

function seedReaders(db: Queryable, publication: string, readers: number) {
  return db.query(
    `INSERT INTO subscribers (publication, email, status, source, created_at, updated_at, confirmed_at, consent_method)
     SELECT $1, 'r' || i || '@example.net', 'confirmed', 'import', now(), now(), now(), 'cli'
     FROM generate_series(1, $2) AS i`,
    [publication, readers],
  );
}

async function runSize(readers: number, server: { databaseUrl: string; drop(): Promise<void> }) {
  const { issue } = loadIssue(args.issue);
  if (!issue) throw new Error(`${args.issue} does not load`);
  const [sink, redisServer] = await Promise.all([startSink(), startRedis()]);
  const config = loadConfig({
    BULLETIN_DATA_DIR: mkdtempSync(join(tmpdir(), 'bulletin-bench-scale-')),
    PUBLIC_URL: 'https://bulletin.example.org',
    DATABASE_URL: server.databaseUrl,
    REDIS_URL: redisServer.url,
    SMTP_URL: sink.url,
    BULLETIN_SECRET: SECRET,
    LOG_LEVEL: 'warn',
  });
  const delivery = await openDelivery(config, DEFAULT_SETTINGS, pino({ level: 'warn' }));
  const children = childrenOf(process.pid);
  const postmaster = await postmasterPid(delivery.db);
  const memory = memorySampler({
    redis: children.find((pid) => commandOf(pid).startsWith('redis-server')),
    sink: children.find((pid) => commandOf(pid) === 'smtp-sink'),
    postmaster,
  });
  try {
    const emptyBytes = await databaseBytes(delivery.db);
    await seedReaders(delivery.db, issue.publication.slug, readers);

    const started = performance.now();
    const { campaign } = await publishIssue(delivery, issue, {
      dataDir: config.dataDir,
      publicUrl: config.publicUrl,
      batchSize: DEFAULT_SETTINGS.batchSize,
      resendFailed: false,
      now: new Date(),
    });
    const enqueued = performance.now();
    const nodeCpu = cpuMeter(readers);
    const dbCpuBefore = serverCpu(postmaster);
    delivery.startWorker();
    let lastReport = enqueued;
    const finished = await watchCampaign(
      delivery.db,
      campaign.id,
      (progress) => {
        if (performance.now() - lastReport < 30_000) return;
        lastReport = performance.now();
        process.stderr.write(`  … ${progress.counts.sent} of ${readers} sent\n`);
      },
      500,
    );
    const done = performance.now();
    if (finished.status !== 'done')
      throw new Error(`campaign ended ${finished.status}: ${finished.statusReason}`);
    const nodeCpuUs = nodeCpu();
    const dbCpuUs = ((serverCpu(postmaster) - dbCpuBefore) * 1e6) / readers;
    memory.stop();

    const { rows } = await delivery.db.query<{ name: string; bytes: string }>(
      `SELECT relname AS name, pg_total_relation_size(oid)::text AS bytes FROM pg_class
       WHERE relname IN ('subscribers', 'deliveries', 'campaign_batches')`,
    );
    return {
      readers,
      publishSeconds: (enqueued - started) / 1000,
      sendRate: readers / ((done - enqueued) / 1000),
      nodeCpuUs,
      dbCpuUs,
      peak: { ...memory.peak },
      bytesPer100k: (((await databaseBytes(delivery.db)) - emptyBytes) / readers) * 100_000,
      tables: Object.fromEntries(rows.map((r) => [r.name, (Number(r.bytes) / readers) * 100_000])),
    } satisfies SizeResult;
  } finally {
    memory.stop();
    await delivery.close();
    await sink.stop();
    redisServer.stop();
    await server.drop();
    rmSync(config.dataDir, { recursive: true, force: true });
  }
}

// ---- One list size, the store alone ----

/** Batches spread over the whole campaign, each taken through a worker's statements in turn. */
const SAMPLED_BATCHES = 200;

interface StoreResult {
  readers: number;
  snapshotSeconds: number;
  /** Wall time of claim, read, flushes and finish, per recipient; dbCpuUs: the backend's CPU. */
  perRecipientUs: number;
  flushMs: number;
  dbCpuUs: number;
  bytesPer100k: number;
}

async function storeSize(readers: number, server: { databaseUrl: string; drop(): Promise<void> }) {
  const db = openPostgres(server.databaseUrl, { max: 1 });
  try {
    await migrate(db);
    const postmaster = await postmasterPid(db);
    const emptyBytes = await databaseBytes(db);
    await seedReaders(db, 'global-eye', readers);
    const snapshotStarted = performance.now();
    const { campaign } = await createCampaign(
      db,
      {
        publication: 'global-eye',
        issueNumber: 1,
        issueCode: '001',
        subject: 'The news',
        html: '<p>The news.</p>',
        text: 'The news.',
        listName: 'Global Eye',
        listAddress: 'globaleye@example.org',
        publicUrl: 'https://bulletin.example.org',
        batchSize: DEFAULT_SETTINGS.batchSize,
      },
      new Date(),
    );
    const snapshotSeconds = (performance.now() - snapshotStarted) / 1000;
    const batches = Math.ceil(campaign.recipients / campaign.batchSize);
    // This connection's backend alone: the autovacuum that the bulk insert set off is not a
    // per-batch cost (the pipeline mode counts the whole server).
    const { rows } = await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const backend = postmaster === undefined ? undefined : rows[0]?.pid;
    const backendCpu = () => (backend === undefined ? Number.NaN : (stat(backend)?.cpu ?? Number.NaN));
    const cpuBefore = backendCpu();
    const started = performance.now();
    let recipients = 0;
    let flushing = 0;
    let flushes = 0;
    const sampled = Math.min(SAMPLED_BATCHES, batches);
    const ledger = postgresLedger(db, { leaseMs: 30_000 });
    for (let i = 0; i < sampled; i++) {
      const batch = Math.floor((i * batches) / sampled);
      const claim = await ledger.claim(campaign.id, batch);
      if (claim.kind !== 'claimed') throw new Error('claim failed');
      const queued = await ledger.queuedRecipients(claim.lease);
      for (let at = 0; at < queued.length; at += DEFAULT_SETTINGS.flushEvery) {
        const flushStarted = performance.now();
        const chunk = queued.slice(at, at + DEFAULT_SETTINGS.flushEvery);
        await ledger.record(
          claim.lease,
          chunk.map((r) => ({ subscriberId: r.subscriberId, status: 'sent' })),
          new Date(),
        );
        flushing += performance.now() - flushStarted;
        flushes++;
      }
      await ledger.finish(claim.lease, new Date());
      recipients += queued.length;
    }
    return {
      readers,
      snapshotSeconds,
      perRecipientUs: ((performance.now() - started) * 1000) / recipients,
      flushMs: flushing / flushes,
      dbCpuUs: ((backendCpu() - cpuBefore) * 1e6) / recipients,
      bytesPer100k: (((await databaseBytes(db)) - emptyBytes) / readers) * 100_000,
    } satisfies StoreResult;
  } finally {
    await db.close();
    await server.drop();
  }
}

async function storeOnly(servers: Awaited<ReturnType<typeof databases>>) {
  process.stdout.write(
    `the store alone: ${SAMPLED_BATCHES} batches of ${DEFAULT_SETTINGS.batchSize} spread over each campaign, claimed, read, flushed every ${DEFAULT_SETTINGS.flushEvery} and finished in turn on one connection\n\n`,
  );
  // A first, discarded round warms up the JIT and the server, which the smallest size would pay alone.
  await storeSize(5000, await servers.next());
  const results: StoreResult[] = [];
  for (const readers of SIZES) {
    const r = await storeSize(readers, await servers.next());
    results.push(r);
    process.stdout.write(
      `${readers.toLocaleString('en')} readers: snapshot ${r.snapshotSeconds.toFixed(1)} s, ${r.perRecipientUs.toFixed(0)} µs per recipient, ${r.flushMs.toFixed(2)} ms per flush, ${fixed(r.dbCpuUs)} µs PostgreSQL CPU per recipient\n`,
    );
  }
  const header = [
    'readers',
    'snapshot s',
    'µs per recipient',
    'ms per flush',
    'db CPU µs per recipient',
    'db per 100k',
  ];
  process.stdout.write(`\n| ${header.join(' | ')} |\n|${header.map(() => ' --- ').join('|')}|\n`);
  for (const r of results)
    process.stdout.write(
      `| ${[r.readers.toLocaleString('en'), r.snapshotSeconds.toFixed(1), r.perRecipientUs.toFixed(0), r.flushMs.toFixed(2), fixed(r.dbCpuUs), mib(r.bytesPer100k)].join(' | ')} |\n`,
    );
  const [smallest, largest] = [results[0], results.at(-1)];
  if (smallest && largest && largest !== smallest) {
    const speed = smallest.perRecipientUs / largest.perRecipientUs;
    process.stdout.write(
      `\nlargest / smallest: recipients per second through the store ${speed.toFixed(2)} (goal ≥ 0.9${speed >= 0.9 ? ', met' : ', NOT met'}); PostgreSQL CPU per recipient ${fixed(largest.dbCpuUs / smallest.dbCpuUs, 2)} × (1.00 is flat)\n`,
    );
  }
}

// ---- The run ----

const mib = (bytes: number) => (bytes ? `${(bytes / 1024 / 1024).toFixed(0)} MiB` : 'n/a');
const fixed = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

/** A database per size: on the throwaway server, or created on (and dropped from) DATABASE_URL's. */
async function databases() {
  if (!process.env.DATABASE_URL) {
    const server = await startPostgres();
    return {
      next: async () => ({ databaseUrl: await server.createDatabase(), drop: async () => {} }),
      stop: () => server.stop(),
    };
  }
  const adminUrl = process.env.DATABASE_URL;
  let count = 0;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  return {
    async next() {
      const name = `bench_scale_${process.pid}_${++count}`;
      await admin(`CREATE DATABASE ${name}`);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return { databaseUrl: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name}`) };
    },
    stop: async () => {},
  };
}

async function main() {
  process.stdout.write(
    `machine: ${cpus().length} × ${cpus()[0]?.model}, Node ${process.version}, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n`,
  );
  process.stdout.write(
    `database: ${process.env.DATABASE_URL ? 'DATABASE_URL' : 'a throwaway PostgreSQL'}; batch size ${DEFAULT_SETTINGS.batchSize}${args['store-only'] ? '' : `, ${DEFAULT_SETTINGS.workerConcurrency} batches at once, ${DEFAULT_SETTINGS.connections} SMTP connections`}\n\n`,
  );
  const servers = await databases();
  if (args['store-only']) {
    try {
      await storeOnly(servers);
    } finally {
      await servers.stop();
    }
    process.stdout.write(
      `load average at the end: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}\n`,
    );
    return;
  }
  const results: SizeResult[] = [];
  try {
    for (const readers of SIZES) {
      const result = await runSize(readers, await servers.next());
      results.push(result);
      process.stdout.write(
        `${readers.toLocaleString('en')} readers: publish ${result.publishSeconds.toFixed(1)} s, ${result.sendRate.toFixed(0)} msg/s, CPU per message ${fixed(result.nodeCpuUs)} µs in this process + ${fixed(result.dbCpuUs)} µs in PostgreSQL\n`,
      );
    }
  } finally {
    await servers.stop();
  }

  const header = [
    'readers',
    'publish s',
    'msg/s',
    'node µs/msg',
    'db µs/msg',
    'peak node',
    'peak postgres',
    'peak redis',
    'peak sink',
    'db per 100k',
    'subscribers',
    'deliveries',
  ];
  const rows = results.map((r) => [
    r.readers.toLocaleString('en'),
    r.publishSeconds.toFixed(1),
    r.sendRate.toFixed(0),
    fixed(r.nodeCpuUs),
    fixed(r.dbCpuUs),
    mib(r.peak.node),
    mib(r.peak.postgres),
    mib(r.peak.redis),
    mib(r.peak.sink),
    mib(r.bytesPer100k),
    mib(r.tables.subscribers ?? 0),
    mib((r.tables.deliveries ?? 0) + (r.tables.campaign_batches ?? 0)),
  ]);
  process.stdout.write(`\n| ${header.join(' | ')} |\n|${header.map(() => ' --- ').join('|')}|\n`);
  for (const row of rows) process.stdout.write(`| ${row.join(' | ')} |\n`);

  const [smallest, largest] = [results[0], results.at(-1)];
  if (smallest && largest && largest !== smallest) {
    const rate = largest.sendRate / smallest.sendRate;
    process.stdout.write(
      `\nlargest / smallest (${largest.readers.toLocaleString('en')} / ${smallest.readers.toLocaleString('en')} readers): msg/s ${rate.toFixed(2)} (goal ≥ 0.9${rate >= 0.9 ? ', met' : ', NOT met'}); CPU per message ${fixed(largest.nodeCpuUs / smallest.nodeCpuUs, 2)} × in this process, ${fixed(largest.dbCpuUs / smallest.dbCpuUs, 2)} × in PostgreSQL (1.00 is flat)\n`,
    );
  }
  process.stdout.write(
    `load average at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n`,
  );
}

await main();
