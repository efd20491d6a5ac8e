// `npm run bench:send [-- --sizes 20000,200000,1000000 --stores embedded,server --profile <dir>]`
// `npm run bench:send -- --store-only [--sizes …] [--stores …]`
//
// Sending, as a user meets it, and whether its cost per reader stays flat as the list grows.
// For each store and list size: `bulletin publish` of issue 005, a new process from the build on
// the default settings, timed from its start to its exit after the last message was accepted by
// the sink. Around it, in the same run, the baseline: a bare nodemailer pool with the same number
// of connections sending the same finished message to the same sink (before and after; the
// machine is shared, so the command is compared with their mean). Printed per size: messages/s,
// the ratio to the baseline, CPU per message in the command and in PostgreSQL (unlike msg/s, not
// skewed by other load), the peak memory of every process, the database's size per 100k readers;
// then, per store, the ratio of the largest size's msg/s to the smallest's (goal ≥ 0.9).
//
// Stores: `embedded` is the default installation: a data dir, no DATABASE_URL or REDIS_URL, the
// command starts the private PostgreSQL and redis-server itself (the bench holds the database
// open meanwhile, to seed and to measure it). `server` is the PostgreSQL at DATABASE_URL (a
// database per size, created and dropped) or else a throwaway one from the machine's binaries
// (fsync off), with a throwaway redis-server at REDIS_URL.
//
// `--store-only` takes 200 batches spread over each campaign through a worker's statements
// (claim, read, flushes, finish) without SMTP: minutes at a million readers instead of an hour.
//
// Sink: postfix's smtp-sink when installed, else an in-process smtp-server.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { postgresLedger } from '../src/campaigns/postgres-ledger.ts';
import { createCampaign, findCampaign } from '../src/campaigns/store.ts';
import { loadConfig } from '../src/config.ts';
import { composeCampaignMessage, unrecordedCampaign } from '../src/delivery/campaign-message.ts';
import { DEFAULT_SETTINGS } from '../src/delivery/settings.ts';
import { loadIssue } from '../src/issue/load.ts';
import type { Issue } from '../src/issue/model.ts';
import { renderEmail } from '../src/render/email/index.ts';
import { renderText } from '../src/render/text/index.ts';
import { usePrivatePostgres } from '../src/services/postgres.ts';
import type { Db, Queryable } from '../src/store/db.ts';
import { openStore } from '../src/store/open.ts';
import { openPostgres } from '../src/store/postgres.ts';
import { createTokens } from '../src/tokens.ts';
import { campaignOf } from '../test/support/campaigns.ts';
import { freePort } from '../test/support/ports.ts';
import { type PostgresServer, startPostgres } from '../test/support/postgres.ts';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '20000,200000,1000000' },
    stores: { type: 'string', default: 'embedded,server' },
    issue: { type: 'string', default: 'issues/global-eye/005.md' },
    'store-only': { type: 'boolean', default: false },
    profile: { type: 'string' },
  },
});
const SIZES = args.sizes
  .split(',')
  .map(Number)
  .sort((a, b) => a - b);
if (SIZES.some((n) => !Number.isInteger(n) || n < 1000))
  throw new Error('--sizes takes list sizes of at least 1000, comma-separated, e.g. 20000,200000');
const STORES = args.stores.split(',') as StoreKind[];
if (STORES.some((s) => s !== 'embedded' && s !== 'server'))
  throw new Error('--stores takes embedded, server or both: --stores embedded,server');
type StoreKind = 'embedded' | 'server';

const CONNECTIONS = DEFAULT_SETTINGS.connections;
const SECRET = 'bench-secret-bench-secret-bench-secret-00';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The baseline's rate does not depend on the list: it sends at most this many each time. */
const BASELINE_MESSAGES = 20_000;
const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** Writes the process's peak resident memory (KiB) and CPU time (µs) to fd 3 as it exits (not its PDF thread). */
const USAGE_HOOK = `data:text/javascript,${encodeURIComponent(
  "import { writeSync } from 'node:fs'; import { isMainThread } from 'node:worker_threads'; if (isMainThread) process.on('exit', () => { const u = process.resourceUsage(); try { writeSync(3, JSON.stringify({ peakKiB: u.maxRSS, cpuUs: u.userCPUTime + u.systemCPUTime })); } catch {} });",
)}`;

// ---- The sink, a throwaway Redis, the baseline ----

async function startSink(): Promise<{ url: string; kind: string; pid?: number; stop(): Promise<void> }> {
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
      pid: child.pid,
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

async function startRedis(): Promise<{ url: string; pid?: number; stop(): void }> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'],
    { stdio: 'ignore' },
  );
  await new Promise((r) => setTimeout(r, 300));
  return { url: `redis://127.0.0.1:${port}`, pid: child.pid, stop: () => child.kill() };
}

/** CPU time (user + system) this process spends per message. */
function cpuMeter(messages: number) {
  const start = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(start);
    return (used.user + used.system) / messages;
  };
}

/** The baseline: the same message, a bare nodemailer pool, as many messages in flight as the pipeline allows. */
async function baseline(url: string, message: Buffer, N: number): Promise<{ rate: number; cpuUs: number }> {
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
  await Promise.all(Array.from({ length: DEFAULT_SETTINGS.workerConcurrency * CONNECTIONS }, loop));
  const seconds = (performance.now() - started) / 1000;
  const cpuUs = cpu();
  transport.close();
  return { rate: N / seconds, cpuUs };
}

/** One recipient's finished message, the same for every copy the baseline sends. */
async function finishedMessage(issue: Issue, publicUrl: string): Promise<Buffer> {
  const now = new Date();
  const composed = await composeCampaignMessage(
    unrecordedCampaign(
      issue,
      { subject: issue.title, html: (await renderEmail(issue)).html, text: renderText(issue) },
      publicUrl,
      1,
      now,
    ),
    createTokens(Buffer.from(SECRET)),
    now,
  );
  return composed.template.personalise(composed.recipient({ id: 1, email: 'r1@example.net' }));
}

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

/** ppid, and utime + stime, cutime + cstime in seconds; undefined once the process is gone. */
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

const pids = () =>
  readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);

const childrenOf = (parent: number) => pids().filter((pid) => stat(pid)?.ppid === parent);

const commandLine = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
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
  const main = postmaster === undefined ? undefined : stat(postmaster);
  if (!main || postmaster === undefined) return Number.NaN;
  return (
    main.cpu + main.childrenCpu + childrenOf(postmaster).reduce((sum, pid) => sum + (stat(pid)?.cpu ?? 0), 0)
  );
}

interface Peaks {
  postgres: number;
  redis: number;
  sink: number;
}

/**
 * Peak resident memory of the services, sampled every 250 ms. PostgreSQL's is its processes'
 * private memory added up, plus its shared buffers once (each backend maps them). The private
 * redis-server appears only once the command has started it: it is looked for again and again.
 */
function memorySampler(processes: { postmaster?: number; sink?: number; redis: () => number | undefined }) {
  const peak: Peaks = { postgres: 0, redis: 0, sink: 0 };
  let serverProcesses: number[] = [];
  let redis: number | undefined;
  let samples = 0;
  const sample = () => {
    // Listing /proc costs CPU in this process: processes are looked up every 4 s.
    if (samples++ % 16 === 0) {
      if (processes.postmaster) serverProcesses = [processes.postmaster, ...childrenOf(processes.postmaster)];
      redis = processes.redis();
    }
    if (redis) peak.redis = Math.max(peak.redis, status(redis).VmRSS ?? 0);
    if (processes.sink) peak.sink = Math.max(peak.sink, status(processes.sink).VmRSS ?? 0);
    let own = 0;
    let shared = 0;
    for (const pid of serverProcesses) {
      const s = status(pid);
      own += s.RssAnon ?? 0;
      shared = Math.max(shared, s.RssShmem ?? 0);
    }
    peak.postgres = Math.max(peak.postgres, own + shared);
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

// ---- The stores ----

/** One installation for one list size: the command's environment and the bench's own connection. */
interface Installation {
  env: Record<string, string>;
  db: Db;
  /** The same database by URL, for a connection of the bench's own. */
  databaseUrl: string;
  /** The redis-server the command uses, once it runs. */
  redisPid(): number | undefined;
  remove(): Promise<void>;
}

interface Store {
  describe: string;
  next(): Promise<Installation>;
  stop(): Promise<void>;
}

const COMMON_ENV = { PUBLIC_URL: 'https://bulletin.example.org', BULLETIN_SECRET: SECRET, LOG_LEVEL: 'warn' };

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  // Under root the private PostgreSQL runs as postgres, and must reach its cluster in here.
  if (process.getuid?.() === 0) chmodSync(dir, 0o755);
  return dir;
}

/** The default installation: a data dir, its private PostgreSQL and redis-server. */
function embeddedStore(): Store {
  return {
    describe: 'embedded (a data dir: the private PostgreSQL and redis-server, started by the command)',
    async next() {
      const dataDir = tempDir('bulletin-bench-');
      const env = { ...COMMON_ENV, BULLETIN_DATA_DIR: dataDir };
      const db = await openStore(loadConfig(env)); // starts the private server, as any command would
      return {
        env,
        db,
        databaseUrl: (await usePrivatePostgres(dataDir)).url(), // running already; released with db
        redisPid: () =>
          pids().find((pid) => {
            const line = commandLine(pid);
            return line.startsWith('redis-server') && line.includes(dataDir);
          }) ?? readRedisPid(dataDir),
        async remove() {
          await db.close(); // the last user: the private server stops
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    },
    stop: async () => {},
  };
}

function readRedisPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, 'redis', 'redis.pid'), 'utf8'));
    return stat(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** A PostgreSQL server by URL: DATABASE_URL's (a database per size), or a throwaway one. */
async function serverStore(): Promise<Store> {
  const adminUrl = process.env.DATABASE_URL;
  const throwaway: PostgresServer | undefined = adminUrl ? undefined : await startPostgres();
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
    describe: adminUrl
      ? 'server (DATABASE_URL, a database per size; a throwaway redis-server at REDIS_URL)'
      : 'server (a throwaway PostgreSQL over TCP, fsync off; a throwaway redis-server at REDIS_URL)',
    async next() {
      let databaseUrl: string;
      let drop = async () => {};
      if (throwaway) databaseUrl = await throwaway.createDatabase();
      else {
        const name = `bench_send_${process.pid}_${++count}`;
        await admin(`CREATE DATABASE ${name}`);
        const url = new URL(adminUrl as string);
        url.pathname = `/${name}`;
        databaseUrl = url.toString();
        drop = () => admin(`DROP DATABASE IF EXISTS ${name}`);
      }
      const redis = await startRedis();
      const dataDir = tempDir('bulletin-bench-');
      const env = {
        ...COMMON_ENV,
        BULLETIN_DATA_DIR: dataDir,
        DATABASE_URL: databaseUrl,
        REDIS_URL: redis.url,
      };
      const db = await openStore(loadConfig(env));
      return {
        env,
        db,
        databaseUrl,
        redisPid: () => redis.pid,
        async remove() {
          await db.close();
          redis.stop();
          await drop();
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    },
    stop: async () => {
      await throwaway?.stop();
    },
  };
}

// ---- One list size through the whole pipeline ----

interface SizeResult {
  readers: number;
  seconds: number;
  rate: number;
  baselineRate: number;
  commandCpuUs: number;
  baselineCpuUs: number;
  dbCpuUs: number;
  peakCommand: number;
  peak: Peaks;
  bytesPer100k: number;
}

/** `bulletin publish <issue>` as a user runs it: its wall time, peak RSS and CPU. */
function publishCommand(
  env: NodeJS.ProcessEnv,
): Promise<{ seconds: number; peakKiB: number; cpuUs: number }> {
  const profile = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${args.profile}`] : [];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [...profile, '--import', USAGE_HOOK, join(ROOT, 'bin', 'bulletin.js'), 'publish', args.issue],
      { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    let usage = '';
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c;
    });
    child.stdio[3]?.on('data', (c: Buffer) => {
      usage += c;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) reject(new Error(`bulletin publish exited ${code}: ${stderr.trim().slice(-600)}`));
      else {
        try {
          resolve({ seconds, ...(JSON.parse(usage) as { peakKiB: number; cpuUs: number }) });
        } catch {
          reject(new Error(`bulletin publish reported no usage: ${usage}`));
        }
      }
    });
  });
}

async function pipelineSize(
  issue: Issue,
  readers: number,
  store: Store,
  sink: Awaited<ReturnType<typeof startSink>>,
  message: Buffer,
): Promise<SizeResult> {
  const installation = await store.next();
  const { db } = installation;
  try {
    const emptyBytes = await databaseBytes(db);
    await seedReaders(db, issue.publication.slug, readers);
    const postmaster = await postmasterPid(db);
    const runBaseline = async (when: string) => {
      const result = await baseline(sink.url, message, Math.min(readers, BASELINE_MESSAGES));
      process.stdout.write(
        `  baseline ${when}: ${result.rate.toFixed(0)} msg/s, ${result.cpuUs.toFixed(0)} µs CPU/msg\n`,
      );
      return result;
    };
    const before = await runBaseline('before');
    const memory = memorySampler({ postmaster, sink: sink.pid, redis: installation.redisPid });
    const dbCpuBefore = serverCpu(postmaster);
    const command = await publishCommand({ ...process.env, ...installation.env, SMTP_URL: sink.url });
    const dbCpuUs = ((serverCpu(postmaster) - dbCpuBefore) * 1e6) / readers;
    memory.stop();
    const campaign = await findCampaign(db, issue.publication.slug, issue.number);
    if (campaign?.status !== 'done') throw new Error(`campaign ended ${campaign?.status}`);
    const after = await runBaseline('after');
    const result: SizeResult = {
      readers,
      seconds: command.seconds,
      rate: readers / command.seconds,
      baselineRate: (before.rate + after.rate) / 2,
      commandCpuUs: command.cpuUs / readers,
      baselineCpuUs: (before.cpuUs + after.cpuUs) / 2,
      dbCpuUs,
      peakCommand: command.peakKiB * 1024,
      peak: { ...memory.peak },
      bytesPer100k: (((await databaseBytes(db)) - emptyBytes) / readers) * 100_000,
    };
    process.stdout.write(
      `  bulletin publish, start to exit: ${result.seconds.toFixed(1)} s, ${result.rate.toFixed(0)} msg/s = ${(result.rate / result.baselineRate).toFixed(2)} × the baseline (goal ≥ 0.9); CPU per message ${result.commandCpuUs.toFixed(0)} µs (${(result.commandCpuUs / result.baselineCpuUs).toFixed(2)} × the baseline's) + ${fixed(result.dbCpuUs)} µs in PostgreSQL\n`,
    );
    return result;
  } finally {
    await installation.remove();
  }
}

function pipelineTable(results: SizeResult[]): void {
  const header = [
    'readers',
    'publish, start to exit',
    'msg/s',
    '× baseline',
    'CPU µs/msg (command)',
    'CPU µs/msg (PostgreSQL)',
    'peak command',
    'peak PostgreSQL',
    'peak Redis',
    'peak sink',
    'database per 100k',
  ];
  process.stdout.write(`\n| ${header.join(' | ')} |\n|${header.map(() => ' --- ').join('|')}|\n`);
  for (const r of results)
    process.stdout.write(
      `| ${[
        r.readers.toLocaleString('en'),
        `${r.seconds.toFixed(1)} s`,
        r.rate.toFixed(0),
        (r.rate / r.baselineRate).toFixed(2),
        r.commandCpuUs.toFixed(0),
        fixed(r.dbCpuUs),
        mib(r.peakCommand),
        mib(r.peak.postgres),
        mib(r.peak.redis),
        mib(r.peak.sink),
        mib(r.bytesPer100k),
      ].join(' | ')} |\n`,
    );
  const [smallest, largest] = [results[0], results.at(-1)];
  if (smallest && largest && largest !== smallest) {
    const rate = largest.rate / smallest.rate;
    process.stdout.write(
      `\nlargest / smallest (${largest.readers.toLocaleString('en')} / ${smallest.readers.toLocaleString('en')} readers): msg/s ${rate.toFixed(2)} (goal ≥ 0.9${rate >= 0.9 ? ', met' : ', NOT met'}); CPU per message ${(largest.commandCpuUs / smallest.commandCpuUs).toFixed(2)} × in the command, ${fixed(largest.dbCpuUs / smallest.dbCpuUs, 2)} × in PostgreSQL (1.00 is flat)\n`,
    );
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

async function storeSize(readers: number, store: Store): Promise<StoreResult> {
  const installation = await store.next();
  const { db } = installation;
  try {
    const postmaster = await postmasterPid(db);
    const emptyBytes = await databaseBytes(db);
    await seedReaders(db, 'global-eye', readers);
    const snapshotStarted = performance.now();
    const { campaign } = await createCampaign(db, campaignOf(1, DEFAULT_SETTINGS.batchSize), new Date());
    const snapshotSeconds = (performance.now() - snapshotStarted) / 1000;
    const batches = Math.ceil(campaign.recipients / campaign.batchSize);
    // One connection, whose backend alone is measured: the autovacuum the bulk insert set off is
    // not a per-batch cost.
    const conn = openPostgres(installation.databaseUrl, { max: 1 });
    const { rows } = await conn.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const backend = postmaster === undefined ? undefined : rows[0]?.pid;
    const backendCpu = () => (backend === undefined ? Number.NaN : (stat(backend)?.cpu ?? Number.NaN));
    const cpuBefore = backendCpu();
    const started = performance.now();
    let recipients = 0;
    let flushing = 0;
    let flushes = 0;
    const sampled = Math.min(SAMPLED_BATCHES, batches);
    const ledger = postgresLedger(conn, { leaseMs: 30_000 });
    try {
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
    } finally {
      await conn.close();
    }
    return {
      readers,
      snapshotSeconds,
      perRecipientUs: ((performance.now() - started) * 1000) / recipients,
      flushMs: flushing / flushes,
      dbCpuUs: ((backendCpu() - cpuBefore) * 1e6) / recipients,
      bytesPer100k: (((await databaseBytes(db)) - emptyBytes) / readers) * 100_000,
    };
  } finally {
    await installation.remove();
  }
}

async function storeOnly(store: Store): Promise<void> {
  // A first, discarded round warms up the JIT and the server, which the smallest size would pay alone.
  await storeSize(5000, store);
  const results: StoreResult[] = [];
  for (const readers of SIZES) {
    const r = await storeSize(readers, store);
    results.push(r);
    process.stdout.write(
      `  ${readers.toLocaleString('en')} readers: snapshot ${r.snapshotSeconds.toFixed(1)} s, ${r.perRecipientUs.toFixed(0)} µs per recipient, ${r.flushMs.toFixed(2)} ms per flush, ${fixed(r.dbCpuUs)} µs PostgreSQL CPU per recipient\n`,
    );
  }
  const header = [
    'readers',
    'snapshot',
    'µs per recipient',
    'ms per flush',
    'PostgreSQL CPU µs per recipient',
    'database per 100k',
  ];
  process.stdout.write(`\n| ${header.join(' | ')} |\n|${header.map(() => ' --- ').join('|')}|\n`);
  for (const r of results)
    process.stdout.write(
      `| ${[r.readers.toLocaleString('en'), `${r.snapshotSeconds.toFixed(1)} s`, r.perRecipientUs.toFixed(0), r.flushMs.toFixed(2), fixed(r.dbCpuUs), mib(r.bytesPer100k)].join(' | ')} |\n`,
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
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

async function main() {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.js'), '--if-stale'], { stdio: 'inherit' });
  const { issue } = loadIssue(args.issue);
  if (!issue) throw new Error(`${args.issue} does not load`);
  process.stdout.write(
    `machine: ${cpus().length} × ${cpus()[0]?.model}, Node ${process.version}, load average ${load()}\n`,
  );
  const sink = args['store-only'] ? undefined : await startSink();
  process.stdout.write(
    args['store-only']
      ? `the store alone: ${SAMPLED_BATCHES} batches of ${DEFAULT_SETTINGS.batchSize} spread over each campaign, claimed, read, flushed every ${DEFAULT_SETTINGS.flushEvery} and finished in turn on one connection\n`
      : `sink: ${sink?.kind}; default settings: batches of ${DEFAULT_SETTINGS.batchSize}, ${DEFAULT_SETTINGS.workerConcurrency} at once, ${CONNECTIONS} SMTP connections; baseline: at most ${BASELINE_MESSAGES.toLocaleString('en')} messages\n`,
  );
  const message = sink ? await finishedMessage(issue, 'https://bulletin.example.org') : undefined;
  try {
    for (const kind of STORES) {
      const store = kind === 'embedded' ? embeddedStore() : await serverStore();
      process.stdout.write(`\n## ${store.describe}\n`);
      try {
        if (!sink || !message) {
          await storeOnly(store);
          continue;
        }
        const results: SizeResult[] = [];
        for (const readers of SIZES) {
          process.stdout.write(`${readers.toLocaleString('en')} readers\n`);
          results.push(await pipelineSize(issue, readers, store, sink, message));
        }
        pipelineTable(results);
      } finally {
        await store.stop();
      }
    }
  } finally {
    await sink?.stop();
  }
  process.stdout.write(`\nload average at the end: ${load()}\n`);
}

await main();
