// `npm run bench:send [-- --subscribers 20000,200000 --profile <dir>]`
//
// `bulletin publish` of issue 005 to N subscribers, timed as a user sees it: from the command's
// start (a new process, from the build) to its exit after the last message was accepted, on the
// default settings. In the same run, the baseline: a bare nodemailer pool with the same number of
// connections sending the same finished message to the same sink, before and after the command
// (the machine is shared: the pipeline is compared with their mean). Prints both rates, their ratio,
// and the command's peak RSS. `--profile <dir>` writes the command's CPU profile (--cpu-prof) there.
//
// Sink: postfix's smtp-sink when installed, else an in-process smtp-server. Database: DATABASE_URL,
// else a throwaway PostgreSQL from the machine's binaries. Redis: a throwaway redis-server.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { findCampaign } from '../src/campaigns/store.ts';
import { loadConfig } from '../src/config.ts';
import { composeCampaignMessage, unrecordedCampaign } from '../src/delivery/campaign-message.ts';
import { DEFAULT_SETTINGS } from '../src/delivery/settings.ts';
import { loadIssue } from '../src/issue/load.ts';
import type { Issue } from '../src/issue/model.ts';
import { renderEmail } from '../src/render/email/index.ts';
import { renderText } from '../src/render/text/index.ts';
import { openStore } from '../src/store/open.ts';
import { createTokens } from '../src/tokens.ts';
import { freePort } from '../test/support/ports.ts';
import { startPostgres } from '../test/support/postgres.ts';

/** Run as the benchmark, not imported for its helpers (bench/scale.ts): only then are the arguments ours. */
const direct = import.meta.url === pathToFileURL(process.argv[1] ?? '').href;
const { values: args } = parseArgs({
  args: direct ? undefined : [],
  options: {
    subscribers: { type: 'string', default: '20000,200000' },
    issue: { type: 'string', default: 'issues/global-eye/005.md' },
    profile: { type: 'string' },
  },
});
const SIZES = args.subscribers.split(',').map(Number);
const CONNECTIONS = DEFAULT_SETTINGS.connections;
const SECRET = 'bench-secret-bench-secret-bench-secret-00';
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Writes the process's peak resident memory (KiB) and CPU time (µs) to fd 3 as it exits (not its PDF thread). */
const USAGE_HOOK = `data:text/javascript,${encodeURIComponent(
  "import { writeSync } from 'node:fs'; import { isMainThread } from 'node:worker_threads'; if (isMainThread) process.on('exit', () => { const u = process.resourceUsage(); try { writeSync(3, JSON.stringify({ peakKiB: u.maxRSS, cpuUs: u.userCPUTime + u.systemCPUTime })); } catch {} });",
)}`;

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
  N: number,
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

/** `bulletin publish <issue>` as a user runs it; resolves with its wall time and peak RSS. */
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
    let peak = '';
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c;
    });
    child.stdio[3]?.on('data', (c: Buffer) => {
      peak += c;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) reject(new Error(`bulletin publish exited ${code}: ${stderr.trim().slice(-600)}`));
      else {
        try {
          resolve({ seconds, ...(JSON.parse(peak) as { peakKiB: number; cpuUs: number }) });
        } catch {
          reject(new Error(`bulletin publish reported no usage: ${peak}`));
        }
      }
    });
  });
}

async function run(issue: Issue, N: number, sink: { url: string }, databaseUrl: string): Promise<void> {
  const redisServer = await startRedis();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    BULLETIN_DATA_DIR: mkdtempSync(join(tmpdir(), 'bulletin-bench-')),
    PUBLIC_URL: 'https://bulletin.example.org',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisServer.url,
    SMTP_URL: sink.url,
    BULLETIN_SECRET: SECRET,
    LOG_LEVEL: 'warn',
  };
  const config = loadConfig(env);
  const db = await openStore(config);
  try {
    await db.query(
      `INSERT INTO subscribers (publication, email, status, source, created_at, updated_at, confirmed_at, consent_method)
       SELECT $1, 'r' || i || '@example.net', 'confirmed', 'import', now(), now(), now(), 'cli' FROM generate_series(1, $2) AS i`,
      [issue.publication.slug, N],
    );

    // The same finished message for every copy of the baseline: one recipient's personalisation.
    const now = new Date();
    const campaignLike = await composeCampaignMessage(
      unrecordedCampaign(
        issue,
        { subject: issue.title, html: (await renderEmail(issue)).html, text: renderText(issue) },
        config.publicUrl,
        1,
        now,
      ),
      createTokens(Buffer.from(SECRET)),
      now,
    );
    const message = campaignLike.template.personalise(
      campaignLike.recipient({ id: 1, email: 'r1@example.net' }),
    );
    const inFlight = DEFAULT_SETTINGS.workerConcurrency * CONNECTIONS;
    const runBaseline = async (when: string) => {
      const result = await baseline(sink.url, message, inFlight, N);
      process.stdout.write(
        `  baseline ${when} (bare nodemailer pool, ${CONNECTIONS} connections, ${(message.length / 1024).toFixed(0)} KiB message): ${result.rate.toFixed(0)} msg/s, ${result.cpuUs.toFixed(0)} µs CPU/msg\n`,
      );
      return result;
    };
    const before = await runBaseline('before');
    const command = await publishCommand(env);
    const campaign = await findCampaign(db, issue.publication.slug, issue.number);
    if (campaign?.status !== 'done') throw new Error(`campaign ended ${campaign?.status}`);
    const rate = N / command.seconds;
    process.stdout.write(
      `  bulletin publish, start to exit: ${command.seconds.toFixed(1)} s, ${rate.toFixed(0)} msg/s, ${(command.cpuUs / N).toFixed(0)} µs CPU/msg (this process; Redis and PostgreSQL apart), peak RSS ${mib(command.peakKiB * 1024)}\n`,
    );
    const after = await runBaseline('after');
    const mean = (before.rate + after.rate) / 2;
    const meanCpu = (before.cpuUs + after.cpuUs) / 2;
    process.stdout.write(
      `  ratio at ${N}: ${(rate / mean).toFixed(2)} end to end (pipeline ${rate.toFixed(0)} / baseline mean ${mean.toFixed(0)} msg/s; goal ≥ 0.9); CPU per message ${(command.cpuUs / N / meanCpu).toFixed(2)} × the baseline's\n`,
    );
  } finally {
    await db.close();
    redisServer.stop();
  }
}

async function main() {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.js'), '--if-stale'], { stdio: 'inherit' });
  const { issue } = loadIssue(args.issue);
  if (!issue) throw new Error(`${args.issue} does not load`);
  const sink = await startSink();
  const postgres = process.env.DATABASE_URL ? undefined : await startPostgres();
  try {
    process.stdout.write(
      `machine: ${cpus().length} × ${cpus()[0]?.model}, Node ${process.version}, load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}\n`,
    );
    process.stdout.write(`sink: ${sink.kind}; default settings (${CONNECTIONS} connections)\n`);
    for (const N of SIZES) {
      process.stdout.write(`${N} subscribers\n`);
      const databaseUrl = process.env.DATABASE_URL ?? ((await postgres?.createDatabase()) as string);
      await run(issue, N, sink, databaseUrl);
    }
  } finally {
    await sink.stop();
    await postgres?.stop();
  }
}

if (direct) await main();
