// Fault injection with real processes on one data dir, as an operator runs bulletin on the embedded
// defaults (private PostgreSQL and Redis): `serve`, two `worker`s and `publish --detach`, all in
// one process group. Three campaigns; in each, every kind of process is killed with SIGKILL once,
// as the campaign goes: `publish`, the one that started the private PostgreSQL, the one that
// started the private Redis, a worker, `serve` (when a server's starter is already gone, the server
// itself is killed first, so the private PostgreSQL and Redis die too). After each campaign: it
// completed, nobody was missed, duplicates within the bound, the subscribers and their consent
// intact. Then SIGTERM to the whole group, and the store opens again.
// A second test stops an external PostgreSQL and Redis for a while mid-campaign.

import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { SHUTDOWN_BOUND_MS } from '../../src/cli/worker.ts';
import { privatePostgresPaths } from '../../src/services/postgres.ts';
import { openStore } from '../../src/store/open.ts';
import { BIN } from '../support/cli.ts';
import { tempDataDir } from '../support/data-dir.ts';
import { startPostgres } from '../support/postgres.ts';
import { startFaultySink } from '../support/smtp-faults.ts';
import { PUBLIC_URL, SECRET, seedSubscribers, startRedisProcess } from './harness.ts';

const SUBSCRIBERS = 200;
const BATCH_SIZE = 10;
const CONCURRENCY = 2;
/** What one crashed worker may send twice: every batch in hand, sent but not yet recorded. */
const DUPLICATE_BOUND = CONCURRENCY * BATCH_SIZE;
const DELIVERY_FLAGS = [
  '--batch-size',
  String(BATCH_SIZE),
  '--concurrency',
  String(CONCURRENCY),
  '--connections',
  '2',
  '--lock-ms',
  '1500',
  '--backoff-ms',
  '200',
  '--reconcile-ms',
  '1000',
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, logs: () => string) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; logs:\n${logs().slice(-4000)}`);
    await sleep(100);
  }
}

/** A process group of bulletin commands: a sleeping leader, and each command joined to it. */
const groups: number[] = [];
function killEverything() {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

async function processGroup(env: Record<string, string>) {
  const leader = spawn(
    'python3',
    ['-c', 'import os,sys,time; os.setpgid(0,0); print("ready", flush=True); time.sleep(3600)'],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  await new Promise((resolve) => leader.stdout?.once('data', resolve));
  const pgid = leader.pid as number;
  groups.push(pgid);
  const logs: string[] = [];
  /** Processes that exited on their own with a failure: a command crashed. */
  const crashed: string[] = [];
  const joinGroup = 'import os,sys; os.setpgid(0, int(sys.argv[1])); os.execv(sys.argv[2], sys.argv[2:])';
  const run = (name: string, args: string[]) => {
    const child = spawn('python3', ['-c', joinGroup, String(pgid), process.execPath, BIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
    });
    child.stderr?.on('data', (d) => logs.push(`[${name} ${child.pid}] ${d}`));
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code, signal) => {
        if (signal === null && code !== 0) crashed.push(`${name} exited with ${code}`);
        resolve(code);
      }),
    );
    return { name, child, exited, stdout: () => out };
  };
  return { pgid, leader, run, logs: () => logs.join(''), crashed };
}

type Group = Awaited<ReturnType<typeof processGroup>>;
type Running = ReturnType<Group['run']>;

const ppid = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);
const killed = async (p: Running) => {
  p.child.kill('SIGKILL');
  await p.exited;
};
/** Waits for `line` in the process's log; fails at once if it exits first. */
const ready = (p: Running, group: Group, line: RegExp) =>
  Promise.race([
    waitFor(
      `${p.name} to start`,
      async () => line.test(group.logs().split(`[${p.name} ${p.child.pid}]`).slice(1).join('')),
      120_000,
      group.logs,
    ),
    p.exited.then((code) => {
      throw new Error(`${p.name} exited (${code}) while starting: ${group.logs().slice(-3000)}`);
    }),
  ]);

describe('kill -9 of each process in turn, on one data dir with the embedded defaults', () => {
  const data = tempDataDir();
  afterAll(() => {
    // Also after a timeout: nothing of this test may outlive it, the private servers included.
    killEverything();
    for (const pidFile of [
      join(data.dir, 'postgres', 'postmaster.pid'),
      join(data.dir, 'redis', 'redis.pid'),
    ]) {
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8').split('\n')[0]), 'SIGKILL');
      } catch {
        // not running
      }
    }
    data.remove();
  });

  it('the store opens, no record is lost, every campaign completes, nobody missed, duplicates bounded', {
    timeout: 600_000,
  }, async () => {
    const sink = await startFaultySink({ latencyMs: 150 });
    const issues = join(data.dir, 'issues');
    mkdirSync(issues);
    cpSync('issues/global-eye', join(issues, 'global-eye'), { recursive: true });
    const issue005 = readFileSync('issues/global-eye/005.md', 'utf8');
    const env = {
      BULLETIN_DATA_DIR: data.dir,
      SMTP_URL: sink.url,
      BULLETIN_SECRET: SECRET,
      PUBLIC_URL,
      LOG_LEVEL: 'info',
    };

    // The list, and the record of every subscriber's consent that must survive everything.
    const setup = await openStore({ dataDir: data.dir }, { warn: () => {}, info: () => {} });
    await seedSubscribers(setup, 'global-eye', SUBSCRIBERS);
    const consent = async (db: typeof setup) =>
      (await db.query('SELECT id, email, status, confirmed_at, consent_method FROM subscribers ORDER BY id'))
        .rows;
    const consentBefore = await consent(setup);
    await setup.close();

    const { socketDir, cluster } = privatePostgresPaths(data.dir);
    const sql = async <Row>(text: string, params: unknown[] = []): Promise<Row[]> => {
      const client = new pg.Client({ host: socketDir, user: 'postgres', database: 'postgres' });
      client.on('error', () => {});
      await client.connect();
      try {
        return (await client.query(text, params)).rows as Row[];
      } finally {
        await client.end().catch(() => {});
      }
    };
    const postmaster = () => Number(readFileSync(join(cluster, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const redisServer = async () => {
      const client = new Redis({
        path: join(data.dir, 'redis', 'redis.sock'),
        lazyConnect: true,
        retryStrategy: () => null,
      });
      client.on('error', () => {});
      try {
        await client.connect();
        return Number(/process_id:(\d+)/.exec(await client.info('server'))?.[1]);
      } finally {
        client.disconnect();
      }
    };

    const group = await processGroup(env);
    const procs: Record<'serve' | 'worker1' | 'worker2', Running> = {} as never;
    const start = async (name: keyof typeof procs) => {
      procs[name] =
        name === 'serve'
          ? group.run(name, ['serve', '--issues', issues, '--http', '127.0.0.1:0', '--smtp', '127.0.0.1:0'])
          : group.run(name, ['worker', ...DELIVERY_FLAGS]);
      await ready(
        procs[name],
        group,
        name === 'serve' ? /bulletin serve is ready/ : /delivery worker started/,
      );
    };
    const outcomes: string[] = [];
    try {
      // serve first: it starts both private servers.
      await start('serve');
      await Promise.all([start('worker1'), start('worker2')]);

      // 15 kills over 3 campaigns: in each, `publish` as soon as its campaign is recorded, then the
      // four others at a fifth, two fifths, three fifths and four fifths of the campaign. A killed
      // process is started again at once, as a supervisor would, while the campaign goes on.
      const kinds = ['postgres starter', 'redis starter', 'worker', 'serve'] as const;
      const byPid = (pid: number) => Object.values(procs).find((p) => p.child.pid === pid);
      const restarting: Partial<Record<keyof typeof procs, Promise<void>>> = {};
      let killedNow: string[] = [];
      const kill = async (kind: (typeof kinds)[number], round: number): Promise<keyof typeof procs> => {
        let name: keyof typeof procs;
        let victim = '';
        if (kind === 'worker' || kind === 'serve') {
          name = kind === 'serve' ? 'serve' : round % 2 ? 'worker1' : 'worker2';
        } else {
          const serverPid = async () => (kind === 'postgres starter' ? postmaster() : await redisServer());
          const before = await serverPid();
          let starter = byPid(ppid(before));
          if (!starter) {
            // Its starter died in an earlier round: kill the server, and one of ours starts it again.
            process.kill(before, 'SIGKILL');
            victim = `${kind === 'postgres starter' ? 'postgres' : 'redis-server'} itself, then `;
            await waitFor(
              `the private ${kind} to be started again`,
              async () => {
                const pid = await serverPid();
                return pid !== before && Boolean(byPid(ppid(pid)));
              },
              60_000,
              group.logs,
            );
            starter = byPid(ppid(await serverPid()));
          }
          if (!starter) throw new Error(`nobody of ours started the ${kind}`);
          name = starter.name as keyof typeof procs;
        }
        await restarting[name]; // up again before it is killed again
        await killed(procs[name]);
        restarting[name] = start(name);
        killedNow.push(`${kind}: ${victim}${name}`);
        return name;
      };

      const began = Date.now();
      for (let round = 0; round < 3; round++) {
        const number = 10 + round;
        const file = join(issues, 'global-eye', `0${number}.md`);
        writeFileSync(file, issue005.replace(/^number: 5$/m, `number: ${number}`));
        const campaign = async () =>
          (
            await sql<{ id: number; status: string }>(
              'SELECT id, status FROM campaigns WHERE issue_number = $1',
              [number],
            )
          )[0];
        const sent = async () =>
          Number(
            (
              await sql<{ n: number }>(
                "SELECT count(*)::int AS n FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id WHERE c.issue_number = $1 AND d.status = 'sent'",
                [number],
              )
            )[0]?.n ?? 0,
          );
        killedNow = [];
        const publish = group.run('publish', ['publish', file, '--detach', ...DELIVERY_FLAGS]);
        await waitFor(
          'the campaign to be recorded',
          async () => Boolean(await campaign()),
          120_000,
          group.logs,
        );
        await killed(publish);
        killedNow.push('publish');
        let workersKilled = 0;
        for (const [i, kind] of kinds.entries()) {
          const share = (i + 1) / 5;
          await waitFor(
            `${share} of the campaign`,
            async () => (await sent()) >= SUBSCRIBERS * share,
            120_000,
            group.logs,
          );
          if ((await kill(kind, round)).startsWith('worker')) workersKilled++;
        }
        await waitFor(
          'the campaign to finish',
          async () => (await campaign())?.status === 'done',
          180_000,
          group.logs,
        );

        const id = (await campaign())?.id as number;
        const copies = new Map<string, number>();
        for (const m of sink.received)
          if (m.raw.includes(`<c${id}.s`)) copies.set(m.to, (copies.get(m.to) ?? 0) + 1);
        const total = [...copies.values()].reduce((a, b) => a + b, 0);
        console.log(
          `campaign ${id} done after ${Math.round((Date.now() - began) / 1000)} s, killed ${killedNow.join('; ')}`,
        );
        outcomes.push(
          `campaign ${id}, killed ${killedNow.join('; ')}: ${copies.size} reached, ${total - copies.size} duplicates (bound ${workersKilled * DUPLICATE_BOUND})`,
        );
        expect(copies.size, `campaign ${id}: everyone reached`).toBe(SUBSCRIBERS);
        // Only a killed worker can send twice: what it had in hand.
        expect(total - copies.size, `campaign ${id}: duplicates`).toBeLessThanOrEqual(
          workersKilled * DUPLICATE_BOUND,
        );
        expect(
          await sql('SELECT id, email, status, confirmed_at, consent_method FROM subscribers ORDER BY id'),
        ).toEqual(consentBefore);
      }
      await Promise.all(Object.values(restarting));
      expect(group.crashed).toEqual([]);

      // SIGTERM to the whole group mid-campaign: every command ends within the stated bound, and
      // the last one out stops the private servers.
      const file = join(issues, 'global-eye', '099.md');
      writeFileSync(file, issue005.replace(/^number: 5$/m, 'number: 99'));
      const publish = group.run('publish', ['publish', file, ...DELIVERY_FLAGS]);
      await waitFor(
        'the last campaign to start sending',
        async () =>
          Number(
            (
              await sql<{ n: number }>(
                "SELECT count(*)::int AS n FROM deliveries WHERE status = 'sent' AND campaign_id = (SELECT id FROM campaigns WHERE issue_number = 99)",
              )
            )[0]?.n,
          ) > 10,
        120_000,
        group.logs,
      );
      const signalled = Date.now();
      process.kill(-group.pgid, 'SIGTERM');
      const codes = await Promise.all([publish, ...Object.values(procs)].map((p) => p.exited));
      const tookMs = Date.now() - signalled;
      outcomes.push(`SIGTERM to the group: every command exited in ${tookMs} ms with ${codes.join(', ')}`);
      expect(tookMs).toBeLessThan(SHUTDOWN_BOUND_MS);
      expect(codes.slice(1)).toEqual([0, 0, 0]);
      await waitFor(
        'the private servers to stop',
        async () => {
          const pgUp = await sql('SELECT 1').then(
            () => true,
            () => false,
          );
          const redisUp = await redisServer().then(
            () => true,
            () => false,
          );
          return !pgUp && !redisUp;
        },
        30_000,
        group.logs,
      );

      const reopened = await openStore({ dataDir: data.dir }, { warn: () => {}, info: () => {} });
      expect(await consent(reopened)).toEqual(consentBefore);
      await reopened.close();
    } finally {
      console.log(`fault rounds:\n  ${outcomes.join('\n  ')}`);
      try {
        process.kill(-group.pgid, 'SIGKILL');
      } catch {
        // already gone
      }
      await sink.close();
    }
  });
});

describe('an external PostgreSQL and Redis stopped mid-campaign', () => {
  afterAll(killEverything);

  it('pauses work with one line, resumes when they return; nothing missed, no command crashes', {
    timeout: 240_000,
  }, async () => {
    const OUTAGE_MS = 20_000;
    const [redis, postgres, sink] = await Promise.all([
      startRedisProcess(),
      startPostgres(),
      startFaultySink({ latencyMs: 40 }),
    ]);
    const data = tempDataDir();
    const env = {
      BULLETIN_DATA_DIR: data.dir,
      DATABASE_URL: await postgres.createDatabase(),
      REDIS_URL: redis.url,
      SMTP_URL: sink.url,
      BULLETIN_SECRET: SECRET,
      PUBLIC_URL,
      LOG_LEVEL: 'info',
    };
    const db = await openStore(
      { dataDir: data.dir, databaseUrl: env.DATABASE_URL },
      { warn: () => {}, info: () => {} },
    );
    await seedSubscribers(db, 'global-eye', SUBSCRIBERS);
    const group = await processGroup(env);
    try {
      const worker = group.run('worker', ['worker', ...DELIVERY_FLAGS]);
      await ready(worker, group, /delivery worker started/);
      // In-process publish: its own worker and the progress watcher (which crashed with 57P03).
      const publish = group.run('publish', ['publish', 'issues/global-eye/005.md', ...DELIVERY_FLAGS]);
      const sent = async () =>
        Number(
          (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM deliveries WHERE status = 'sent'"))
            .rows[0]?.n,
        );
      await waitFor(
        'a third of the campaign',
        async () => (await sent()) >= SUBSCRIBERS / 3,
        120_000,
        group.logs,
      );
      await Promise.all([postgres.halt(), redis.kill()]);
      await sleep(OUTAGE_MS);
      await Promise.all([postgres.start(), redis.start()]);
      const code = await publish.exited;
      expect(publish.stdout()).toMatch(/global-eye\/005 {2}done/);
      expect(code).toBe(0);
      expect(worker.child.exitCode).toBe(null);
      // One line when each outage began, per process, not one per retry.
      const pauses = group.logs().match(/does not answer[^\n]*paused/g) ?? [];
      expect(pauses.length).toBeGreaterThanOrEqual(2);
      expect(pauses.length).toBeLessThanOrEqual(8);

      const copies = new Map<string, number>();
      for (const m of sink.received) copies.set(m.to, (copies.get(m.to) ?? 0) + 1);
      expect(copies.size).toBe(SUBSCRIBERS);
      // Two processes deliver: each may resend the batches it had in hand.
      expect(sink.received.length - copies.size).toBeLessThanOrEqual(2 * DUPLICATE_BOUND);
      console.log(
        `external outage of ${OUTAGE_MS / 1000} s: ${copies.size} reached, ${sink.received.length - copies.size} duplicates, ${pauses.length} pause lines`,
      );

      const signalled = Date.now();
      process.kill(-group.pgid, 'SIGTERM');
      expect(await worker.exited).toBe(0);
      expect(Date.now() - signalled).toBeLessThan(SHUTDOWN_BOUND_MS);
      expect(group.crashed).toEqual([]);
    } finally {
      try {
        process.kill(-group.pgid, 'SIGKILL');
      } catch {
        // already gone
      }
      await db.close();
      await Promise.all([sink.close(), redis.stop(), postgres.stop()]);
      data.remove();
    }
  });
});
