// README's "Several machines": `serve` and two `worker`s, each with a data dir of its own (as on
// three machines), against one PostgreSQL and one Redis, with no BULLETIN_SECRET anywhere. Each
// worker delivers one campaign; every unsubscribe link either one signed works on `serve`. A worker
// given another BULLETIN_SECRET refuses to start with one line.

import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.ts';
import { installationSecret } from '../../src/store/installation-secret.ts';
import { openStore } from '../../src/store/open.ts';
import { PUBLIC_URL, type RedisProcess, startRedisProcess } from '../delivery/harness.ts';
import { BIN } from '../support/cli.ts';
import { tempDataDir } from '../support/data-dir.ts';
import { freePort } from '../support/ports.ts';
import { type PostgresServer, startPostgres } from '../support/postgres.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';

const READERS = 6;
const dataDirs: { dir: string; remove(): void }[] = [];
const machine = () => {
  const data = tempDataDir();
  dataDirs.push(data);
  return data.dir;
};

let postgres: PostgresServer;
let redis: RedisProcess;
let sink: SmtpSink;
let db: Db;
let shared: Record<string, string>;
const running = new Set<ChildProcess>();

beforeAll(async () => {
  [postgres, redis, sink] = await Promise.all([startPostgres(), startRedisProcess(), startSmtpSink()]);
  shared = {
    DATABASE_URL: await postgres.createDatabase(),
    REDIS_URL: redis.url,
    SMTP_URL: sink.url,
    PUBLIC_URL,
    LOG_LEVEL: 'info',
  };
  db = await openStore({ dataDir: machine(), databaseUrl: shared.DATABASE_URL }, { warn() {}, info() {} });
  for (const publication of ['global-eye', 'trafficking-in-migrants'])
    await db.query(
      `INSERT INTO subscribers (publication, email, status, source, created_at, updated_at, confirmed_at, consent_method)
       SELECT $1, $1 || '-' || i || '@example.org', 'confirmed', 'import', now(), now(), now(), 'cli'
       FROM generate_series(1, $2) AS i`,
      [publication, READERS],
    );
});
afterAll(async () => {
  for (const child of running) child.kill('SIGKILL');
  await db?.close();
  await Promise.all([sink?.stop(), redis?.stop(), postgres?.stop()]);
  for (const data of dataDirs) data.remove();
});

interface Process {
  child: ChildProcess;
  stderr(): string;
  exited: Promise<number | null>;
}

/** `bulletin …` on a "machine" of its own: its own data dir, the shared services. */
function start(args: string[], extra: Record<string, string> = {}): Process {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH, ...shared, BULLETIN_DATA_DIR: machine(), ...extra },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  running.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  return { child, stderr: () => stderr, exited };
}

async function until(what: string, check: () => boolean | Promise<boolean>, logs: () => string, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${logs().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const started = (p: Process, line: RegExp) =>
  Promise.race([
    until(`${line}`, () => line.test(p.stderr()), p.stderr),
    p.exited.then((code) => {
      throw new Error(`exited with ${code} while starting:\n${p.stderr()}`);
    }),
  ]);

async function stop(p: Process): Promise<number | null> {
  p.child.kill('SIGTERM');
  return p.exited;
}

/** `publish --detach` from yet another machine: enqueues, and the running worker delivers. */
async function publish(issue: string): Promise<void> {
  const p = start(['publish', issue, '--detach']);
  expect(await p.exited, p.stderr()).toBe(0);
}

const unsubscribeToken = (raw: string) => /\/unsubscribe\/([0-9a-z-]+)>/.exec(raw)?.[1];

describe('several machines: serve and two workers with data dirs of their own, one PostgreSQL, one Redis', () => {
  it('every unsubscribe link either worker signed works on serve', { timeout: 180_000 }, async () => {
    // Both workers start at once, each on a fresh machine: the first to reach the database creates
    // the installation's secret, the other reads it.
    let first = start(['worker']);
    let second = start(['worker']);
    await Promise.all([
      started(first, /delivery worker started/),
      started(second, /delivery worker started/),
    ]);
    const [http, smtp] = await Promise.all([freePort(), freePort()]);
    const serve = start(['serve', '--http', `127.0.0.1:${http}`, '--smtp', `127.0.0.1:${smtp}`]);
    await started(serve, /bulletin serve is ready/);

    // One campaign per worker, so each one's links are known to be its own.
    expect(await stop(second)).toBe(0);
    await publish('issues/global-eye/005.md');
    await until('the first campaign', () => sink.messages.length >= READERS, first.stderr);
    expect(await stop(first)).toBe(0);
    second = start(['worker']);
    await started(second, /delivery worker started/);
    await publish('issues/trafficking-in-migrants/025.md');
    await until('the second campaign', () => sink.messages.length >= 2 * READERS, second.stderr);
    first = second;

    // The issues only: each unsubscription below sends a goodbye of its own.
    const issues = sink.messages.slice();
    expect(new Set(issues.flatMap((m) => m.to)).size).toBe(2 * READERS);
    for (const message of issues) {
      const token = unsubscribeToken(message.raw.toString());
      expect(token, message.to.join()).toBeDefined();
      // RFC 8058 one-click, as a mail client sends it.
      const response = await fetch(`http://127.0.0.1:${http}/unsubscribe/${token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
      expect(response.status, `${message.to.join()}: ${await response.text()}`).toBe(200);
    }
    const { rows } = await db.query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM subscribers GROUP BY status',
    );
    expect(rows).toEqual([{ status: 'unsubscribed', n: 2 * READERS }]);
    expect(await stop(first)).toBe(0);
    expect(await stop(serve)).toBe(0);
  });

  it('a worker with another BULLETIN_SECRET refuses to start, in one line', { timeout: 30_000 }, async () => {
    await installationSecret(db, { dataDir: machine() }); // the installation has one (made or kept)
    const began = Date.now();
    const stranger = start(['worker'], { BULLETIN_SECRET: 'another-secret-another-secret-0123456789' });
    const code = await stranger.exited;
    expect(code).toBe(1);
    expect(Date.now() - began).toBeLessThan(10_000);
    const lines = stranger.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^error secret-mismatch: BULLETIN_SECRET is not this installation's token secret/,
    );
    expect(stranger.stderr()).not.toContain('another-secret');
  });

  it('so does serve', { timeout: 30_000 }, async () => {
    await installationSecret(db, { dataDir: machine() });
    const [http, smtp] = await Promise.all([freePort(), freePort()]);
    const stranger = start(['serve', '--http', `127.0.0.1:${http}`, '--smtp', `127.0.0.1:${smtp}`], {
      BULLETIN_SECRET: 'another-secret-another-secret-0123456789',
    });
    expect(await stranger.exited).toBe(1);
    const errors = stranger
      .stderr()
      .trim()
      .split('\n')
      .filter((line) => !line.startsWith('{')); // pino's JSON lines (not a terminal) are the log
    expect(errors).toEqual([expect.stringMatching(/^error secret-mismatch: /)]);
  });
});
