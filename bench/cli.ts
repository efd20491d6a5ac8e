// `npm run bench:cli`
//
// How long `bulletin` commands take and how much memory they hold, against `node -e 0` measured in
// the same run (the machine is shared: only ratios compare across runs). Each command runs 5 times;
// the median is reported. Then the resident memory of `serve` and of an idle `worker` once started,
// with the database and Redis processes they use reported separately.
//
// Everything runs on the embedded defaults in a throwaway data dir, from the build (`npm run build`).

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'bulletin.js');
const RUNS = 5;
const dataDir = mkdtempSync(join(tmpdir(), 'bulletin-bench-cli-'));
const env: NodeJS.ProcessEnv = { ...process.env, BULLETIN_DATA_DIR: dataDir, LOG_LEVEL: 'info' };
delete env.DATABASE_URL;
delete env.REDIS_URL;
delete env.SMTP_URL;

/** Writes the process's peak resident memory to fd 3 as it exits: every run, `node -e 0` included, pays the same. */
const PEAK_RSS_HOOK = `data:text/javascript,${encodeURIComponent(
  "import { writeSync } from 'node:fs'; import { isMainThread } from 'node:worker_threads'; if (isMainThread) process.on('exit', () => { try { writeSync(3, String(process.resourceUsage().maxRSS)); } catch {} });",
)}`;

interface Run {
  seconds: number;
  peakKiB: number;
}

function runOnce(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', PEAK_RSS_HOOK, ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
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
      if (code !== 0) reject(new Error(`${args.join(' ')} exited ${code}: ${stderr.trim().slice(0, 400)}`));
      else resolve({ seconds, peakKiB: Number(peak) });
    });
  });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

async function measure(args: string[]): Promise<Run> {
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await runOnce(args));
  return { seconds: median(runs.map((r) => r.seconds)), peakKiB: median(runs.map((r) => r.peakKiB)) };
}

/** Resident and proportional memory of a process (PSS shares pages among the processes using them). */
function memoryOf(pid: number): { rssKiB: number; pssKiB: number } {
  const field = (text: string, name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  let pssKiB = 0;
  try {
    pssKiB = field(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss');
  } catch {}
  return { rssKiB: field(status, 'VmRSS'), pssKiB };
}

function processes() {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        const close = stat.lastIndexOf(')');
        return {
          pid: Number(d),
          comm: stat.slice(stat.indexOf('(') + 1, close),
          ppid: Number(stat.slice(close + 2).split(' ')[1]),
          cmdline: readFileSync(`/proc/${d}/cmdline`, 'utf8').replaceAll('\0', ' '),
        };
      } catch {
        return undefined;
      }
    })
    .filter((p) => p !== undefined);
}

/** Processes started for this data dir (private Redis, PostgreSQL and their children), by program name. */
function servicesOf(exclude: number): Map<string, { pids: number[]; rssKiB: number; pssKiB: number }> {
  const procs = processes();
  const chosen = new Set(
    procs.filter((p) => p.pid !== exclude && p.cmdline.includes(dataDir)).map((p) => p.pid),
  );
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs)
      if (!chosen.has(p.pid) && chosen.has(p.ppid) && p.pid !== exclude) {
        chosen.add(p.pid);
        grew = true;
      }
  }
  const groups = new Map<string, { pids: number[]; rssKiB: number; pssKiB: number }>();
  for (const p of procs.filter((q) => chosen.has(q.pid))) {
    const name = p.comm.startsWith('postgres') || p.cmdline.startsWith('postgres') ? 'postgres' : p.comm;
    const group = groups.get(name) ?? { pids: [], rssKiB: 0, pssKiB: 0 };
    try {
      const m = memoryOf(p.pid);
      group.rssKiB += m.rssKiB;
      group.pssKiB += m.pssKiB;
      group.pids.push(p.pid);
      groups.set(name, group);
    } catch {}
  }
  return groups;
}

/** Starts a long-running command, waits for its "ready" log line, then reports its memory and its services'. */
async function residentAfterStart(args: string[], ready: RegExp): Promise<string[]> {
  const child: ChildProcess = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (c: Buffer) => {
    log += c;
  });
  const started = performance.now();
  try {
    while (!ready.test(log)) {
      if (child.exitCode !== null || performance.now() - started > 120_000)
        throw new Error(`${args[0]} did not start: ${log.trim().slice(-400)}`);
      await sleep(50);
    }
    const startup = (performance.now() - started) / 1000;
    await sleep(1000); // settled: timers armed, first reconcile done
    const own = memoryOf(child.pid as number);
    const lines = [
      `${(args[0] ?? '').padEnd(8)} ready in ${startup.toFixed(2)} s; resident ${mib(own.rssKiB)} (PSS ${mib(own.pssKiB)})`,
    ];
    for (const [name, group] of servicesOf(child.pid as number))
      lines.push(
        `  + ${name} (${group.pids.length} process${group.pids.length === 1 ? '' : 'es'}): resident ${mib(group.rssKiB)}, PSS ${mib(group.pssKiB)}`,
      );
    return lines;
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
  }
}

/** `publish` of issue 005 on the embedded defaults: how soon the first message is in the outbox. */
async function firstMessage(): Promise<{ first: number; exit: number }> {
  const outbox = join(dataDir, 'outbox');
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, 'publish', 'issues/global-eye/005.md'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (c: Buffer) => {
    log += c;
  });
  let first = Number.NaN;
  while (child.exitCode === null && performance.now() - started < 300_000) {
    if (
      Number.isNaN(first) &&
      existsSync(outbox) &&
      readdirSync(outbox).some((f) => f.endsWith('.eml') && !f.startsWith('.'))
    )
      first = (performance.now() - started) / 1000;
    await sleep(10);
  }
  if (child.exitCode !== 0) throw new Error(`publish exited ${child.exitCode}: ${log.trim().slice(-400)}`);
  return { first, exit: (performance.now() - started) / 1000 };
}

const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MB`;

async function main() {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.js'), '--if-stale'], { stdio: 'inherit' });
  const cpu = cpus();
  process.stdout.write(
    `machine: ${cpu.length} × ${cpu[0]?.model}, ${mib(totalmem() / 1024)} RAM, Node ${process.version}, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
  );
  process.stdout.write(`runs: median of ${RUNS}; data dir ${dataDir} (embedded defaults)\n\n`);

  // The store exists before status and subscribers list are timed: they measure opening it, not creating it.
  await runOnce([BIN, 'subscribers', '--publication', 'global-eye', 'add', 'bench@example.org']);

  const baseline = await measure(['-e', '0']);
  const row = (name: string, run: Run, goal: string) =>
    process.stdout.write(
      `${name.padEnd(42)} ${run.seconds.toFixed(2).padStart(5)} s  ${(run.seconds / baseline.seconds).toFixed(1).padStart(5)}×  peak ${mib(run.peakKiB).padStart(6)}   goal ${goal}\n`,
    );
  row('node -e 0', baseline, '(baseline)');
  row('bulletin --help', await measure([BIN, '--help']), '≤ 4×');
  row(
    'bulletin check issues/global-eye/005.md',
    await measure([BIN, 'check', 'issues/global-eye/005.md']),
    '≤ 8×, ≤ 120 MB',
  );
  row('bulletin status', await measure([BIN, 'status']), '≤ 1 s');
  row(
    'bulletin subscribers list',
    await measure([BIN, 'subscribers', '--publication', 'global-eye', 'list']),
    '≤ 1 s',
  );

  const publish = await firstMessage();
  process.stdout.write(
    `bulletin publish issues/global-eye/005.md   first message in the outbox after ${publish.first.toFixed(2)} s, exit after ${publish.exit.toFixed(2)} s (one run)   goal ≤ 3 s\n`,
  );

  process.stdout.write('\n');
  for (const line of await residentAfterStart(
    ['serve', '--http', '127.0.0.1:0', '--smtp', '127.0.0.1:0'],
    /bulletin serve is ready/,
  ))
    process.stdout.write(`${line}\n`);
  process.stdout.write('  goal: serve ≤ 200 MB\n');
  for (const line of await residentAfterStart(['worker'], /delivery worker started/))
    process.stdout.write(`${line}\n`);
  process.stdout.write('  goal: idle worker ≤ 150 MB\n');
}

try {
  await main();
} finally {
  // Private services the commands left running for this data dir (only ours: matched by its path).
  for (const p of processes())
    if (p.pid !== process.pid && p.cmdline.includes(dataDir)) process.kill(p.pid, 'SIGTERM');
  await sleep(500);
  if (existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true });
}
