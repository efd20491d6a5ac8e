// Failing loudly and clearly: every configuration or environment failure an operator can meet,
// for each command an operator runs, is one line on stderr with its catalogue code, saying what
// and what to do, within 10 s, with a failing exit code, no stack trace and no JSON. Each case
// spawns the built `bulletin` against a real dependency that is absent or refusing: a closed
// port, a PostgreSQL with password authentication, an SMTP server whose onAuth refuses, a port
// held by another server, a data dir that cannot be created.

import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBulletin } from '../support/cli.ts';
import { tempDataDir } from '../support/data-dir.ts';
import { freePort } from '../support/ports.ts';
import { type PostgresServer, startPostgres } from '../support/postgres.ts';
import { startTcpRedis } from '../support/redis.ts';

const PASSWORD = 'correct-horse-battery';
const WRONG_PASSWORD = 'wrong-staple-9f3a';

let postgres: PostgresServer;
let databaseUrl: string; // trust auth: the database every case that is not about it uses
let passwordUrl: (password: string) => string; // scram-sha-256 for user "editor"
let redis: Awaited<ReturnType<typeof startTcpRedis>>;
let lockedRedis: Awaited<ReturnType<typeof startTcpRedis>>; // wants a password
let closedPort: number;
let smtp: SMTPServer;
let smtpPort: number;
let taken: Server;
let takenPort: number;
const data = tempDataDir();

beforeAll(async () => {
  [postgres, redis, lockedRedis, closedPort] = await Promise.all([
    startPostgres(),
    startTcpRedis(),
    startTcpRedis(['--requirepass', PASSWORD]),
    freePort(),
  ]);
  databaseUrl = await postgres.createDatabase();
  // A user with a password, and TCP connections of every user but postgres checked with SCRAM.
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  await admin.query(`CREATE ROLE editor LOGIN PASSWORD '${PASSWORD}'`);
  const { rows } = await admin.query<{ hba_file: string }>('SHOW hba_file');
  writeFileSync(
    rows[0]?.hba_file as string,
    [
      'local all all trust',
      'host all postgres 127.0.0.1/32 trust',
      'host all all 127.0.0.1/32 scram-sha-256',
      '',
    ].join('\n'),
  );
  await admin.query('SELECT pg_reload_conf()');
  await admin.end();
  const { port } = new URL(postgres.url);
  passwordUrl = (password) => `postgres://editor:${password}@127.0.0.1:${port}/postgres`;

  // An SMTP server that answers, offers AUTH, and refuses every login.
  smtp = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    onAuth: (_auth, _session, callback) =>
      callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 })),
  });
  smtp.on('error', () => {});
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as { port: number }).port;

  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  takenPort = (taken.address() as { port: number }).port;
}, 60_000);

afterAll(async () => {
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  await new Promise((resolve) => taken?.close(resolve));
  await redis?.stop();
  await lockedRedis?.stop();
  await postgres?.stop();
  data.remove();
});

/** `bulletin …` in a child process, with none of this machine's services; a hang is killed after 20 s. */
const run = (args: string[], env: Record<string, string>) =>
  runBulletin(
    args,
    { LOG_FORMAT: '', DATABASE_URL: '', REDIS_URL: '', SMTP_URL: '', ...env },
    { killAfterMs: 20_000 },
  );

let dirs = 0;
/** A fresh data dir per case: nothing one case leaves behind helps another. */
function dataDir(): string {
  const dir = join(data.dir, `case-${++dirs}`);
  mkdirSync(dir, { mode: 0o755 });
  return dir;
}

type Command = 'status' | 'subscribers list' | 'subscribers import' | 'worker' | 'publish' | 'serve';

function argsOf(command: Command, dir: string): string[] {
  const common = ['--data-dir', dir];
  switch (command) {
    case 'status':
      return [...common, 'status'];
    case 'subscribers list':
      return [...common, 'subscribers', '--publication', 'global-eye', 'list'];
    case 'subscribers import':
      return [...common, 'subscribers', '--publication', 'global-eye', 'import', join(dir, 'readers.csv')];
    case 'worker':
      return [...common, 'worker'];
    case 'publish':
      return [...common, 'publish', 'issues/global-eye/005.md'];
    case 'serve':
      return [...common, 'serve', '--http', '127.0.0.1:0', '--smtp', '127.0.0.1:0'];
  }
}

interface Case {
  name: string;
  commands: Command[];
  code: string;
  /** Besides the code, what the line must say (and, for secrets, must not). */
  says?: RegExp;
  never?: string;
  env: () => Record<string, string>;
  args?: (command: Command, dir: string) => string[];
  /** Makes the data dir (or what stands in for it) before the run; returns the --data-dir to use. */
  prepare?: (dir: string) => string;
}

const working = () => ({ DATABASE_URL: databaseUrl, REDIS_URL: redis.url });

const CASES: Case[] = [
  {
    name: 'database unreachable (DATABASE_URL to a closed port)',
    commands: ['status', 'subscribers list', 'subscribers import', 'worker', 'publish', 'serve'],
    code: 'database-unreachable',
    says: /PostgreSQL at 127\.0\.0\.1:\d+ does not answer \(ECONNREFUSED\).*Check DATABASE_URL/,
    env: () => ({ DATABASE_URL: `postgres://editor:${PASSWORD}@127.0.0.1:${closedPort}/news` }),
    never: PASSWORD,
    prepare: (dir) => {
      writeFileSync(join(dir, 'readers.csv'), 'email\nreader@example.org\n');
      return dir;
    },
  },
  {
    name: 'database refusing the password',
    commands: ['status', 'subscribers list', 'worker', 'publish', 'serve'],
    code: 'database-refused',
    says: /PostgreSQL at 127\.0\.0\.1:\d+ refused user "editor": password authentication failed\. Check .*DATABASE_URL/,
    never: WRONG_PASSWORD,
    env: () => ({ DATABASE_URL: passwordUrl(WRONG_PASSWORD), REDIS_URL: redis.url }),
  },
  {
    name: 'Redis unreachable (REDIS_URL to a closed port)',
    commands: ['worker', 'publish', 'serve'],
    code: 'redis-unreachable',
    says: /Redis at 127\.0\.0\.1:\d+ does not answer \(ECONNREFUSED\)\. Check REDIS_URL/,
    env: () => ({ DATABASE_URL: databaseUrl, REDIS_URL: `redis://127.0.0.1:${closedPort}` }),
  },
  {
    name: 'Redis refusing the password',
    commands: ['worker', 'serve'],
    code: 'redis-refused',
    says: /Redis at 127\.0\.0\.1:\d+ refused the connection: WRONGPASS .*Check the user and password in REDIS_URL/,
    never: WRONG_PASSWORD,
    env: () => ({
      DATABASE_URL: databaseUrl,
      REDIS_URL: lockedRedis.url.replace('redis://', `redis://:${WRONG_PASSWORD}@`),
    }),
  },
  {
    name: 'SMTP unreachable (SMTP_URL to a closed port)',
    commands: ['worker', 'publish', 'serve'],
    code: 'smtp-unreachable',
    says: /The SMTP server at 127\.0\.0\.1:\d+ does not answer \(ECONNREFUSED\)\. Check SMTP_URL/,
    env: () => ({ ...working(), SMTP_URL: `smtp://sender:${PASSWORD}@127.0.0.1:${closedPort}` }),
    never: PASSWORD,
  },
  {
    name: 'SMTP refusing the login',
    commands: ['worker', 'publish', 'serve'],
    code: 'smtp-refused',
    says: /The SMTP server at 127\.0\.0\.1:\d+ refused user "sender": 535 .*Check the user and password in SMTP_URL/,
    never: WRONG_PASSWORD,
    env: () => ({ ...working(), SMTP_URL: `smtp://sender:${WRONG_PASSWORD}@127.0.0.1:${smtpPort}` }),
  },
  ...(['http', 'smtp'] as const).map(
    (taking): Case => ({
      name: `port in use (serve --${taking})`,
      commands: ['serve'],
      code: 'port-in-use',
      says: new RegExp(`127\\.0\\.0\\.1:\\d+ \\(--${taking}\\) is already in use`),
      env: working,
      args: (_command, dir) => {
        const address = (listener: 'http' | 'smtp') => `127.0.0.1:${listener === taking ? takenPort : 0}`;
        return ['--data-dir', dir, 'serve', '--http', address('http'), '--smtp', address('smtp')];
      },
    }),
  ),
  {
    name: 'missing issue file',
    commands: ['publish'],
    code: 'issue-not-found',
    says: /issues\/global-eye\/999\.md does not exist/,
    env: working,
    args: (_command, dir) => ['--data-dir', dir, 'publish', 'issues/global-eye/999.md'],
  },
  {
    name: 'missing CSV file',
    commands: ['subscribers import'],
    code: 'file-not-found',
    says: /readers\.csv/,
    env: working,
  },
  {
    // Root may write anywhere a mode allows nobody to: a path under a regular file fails for
    // everyone (ENOTDIR). Other users get the read-only folder itself.
    name: 'unwritable data dir',
    commands: ['status', 'subscribers list', 'worker', 'publish', 'serve'],
    code: 'data-dir-unwritable',
    says: /Cannot (create or )?write .*data directory .*Choose a writable --data-dir/,
    env: () => ({}),
    prepare: (dir) => {
      if (process.getuid?.() === 0) {
        writeFileSync(join(dir, 'a-file'), '');
        return join(dir, 'a-file', 'data');
      }
      chmodSync(dir, 0o500);
      return dir;
    },
  },
];

describe('every configuration or environment failure is one line, within 10 s, exit ≠ 0', () => {
  const rows = CASES.flatMap((c) => c.commands.map((command) => ({ ...c, command })));
  it.each(rows)('$name: $command', async (c) => {
    const fresh = dataDir();
    const dir = c.prepare?.(fresh) ?? fresh;
    const result = await run(c.args?.(c.command, dir) ?? argsOf(c.command, dir), c.env());
    const lines = result.stderr.split('\n').filter((line) => line.trim() !== '');
    expect(lines, result.stderr).toHaveLength(1);
    const line = lines[0] as string;
    expect(line).toMatch(new RegExp(`^error ${c.code}: `));
    if (c.says) expect(line).toMatch(c.says);
    if (c.never) expect(result.stderr + result.stdout).not.toContain(c.never);
    expect(line).not.toMatch(/^\s+at |\{"level"/);
    expect(result.status).not.toBe(0);
    expect(result.status).not.toBeNull(); // not killed: it ended by itself
    expect(result.ms).toBeLessThan(10_000);
  });
});
