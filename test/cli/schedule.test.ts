// `publish --dry-run`, `publish --at`, `schedule list|move|cancel` and a `bulletin worker` that
// starts a scheduled campaign at its time, each command in its own process as an operator runs it,
// on a real PostgreSQL and Redis.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduleCampaign } from '../../src/campaigns/schedule.ts';
import { getCampaign } from '../../src/campaigns/store.ts';
import { openScheduleQueue } from '../../src/queue/schedule-queue.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import {
  PUBLIC_URL,
  type RedisProcess,
  SECRET,
  seedSubscribers,
  startRedisProcess,
  testConfig,
} from '../delivery/harness.ts';
import { campaignOf } from '../support/campaigns.ts';
import { bulletinProcesses, runBulletin } from '../support/cli.ts';
import { issue005WithExtraArticles } from '../support/issue-files.ts';
import { type PostgresServer, startPostgres } from '../support/postgres.ts';
import { type FaultySink, startFaultySink } from '../support/smtp-faults.ts';

let redis: RedisProcess;
let postgres: PostgresServer;
let sink: FaultySink;
let db: Db;
let env: Record<string, string>;
let dataDir: string;

beforeAll(async () => {
  [redis, postgres, sink] = await Promise.all([startRedisProcess(), startPostgres(), startFaultySink()]);
  const config = testConfig({
    redisUrl: redis.url,
    smtpUrl: sink.url,
    databaseUrl: await postgres.createDatabase(),
  });
  dataDir = config.dataDir;
  db = openPostgres(config.databaseUrl as string);
  await migrate(db);
  await seedSubscribers(db, 'global-eye', 7);
  // Readers who would not receive it: two who left, one not yet confirmed.
  await db.query(
    `INSERT INTO subscribers (publication, email, status, source, created_at, updated_at)
     VALUES ('global-eye', 'gone1@example.org', 'unsubscribed', 'import', now(), now()),
            ('global-eye', 'gone2@example.org', 'unsubscribed', 'import', now(), now()),
            ('global-eye', 'maybe@example.org', 'pending', 'web', now(), now())`,
  );
  env = {
    BULLETIN_DATA_DIR: dataDir,
    DATABASE_URL: config.databaseUrl as string,
    REDIS_URL: redis.url,
    SMTP_URL: sink.url,
    BULLETIN_SECRET: SECRET,
    PUBLIC_URL,
    LOG_LEVEL: 'warn',
  };
}, 60_000);
afterAll(async () => {
  await db?.close();
  await Promise.all([sink?.close(), redis?.stop(), postgres?.stop()]);
});

const bulletin = (...args: string[]) => runBulletin(args, env);
const processes = bulletinProcesses();

/** Every row bulletin records for campaigns, and Redis's keys: what a dry run must leave as it was. */
async function recorded(): Promise<string> {
  const { rows } = await db.query<{ state: string }>(
    `SELECT concat_ws(' ',
       (SELECT count(*) FROM campaigns), (SELECT count(*) FROM deliveries), (SELECT count(*) FROM campaign_batches),
       (SELECT count(*) FROM campaign_files),
       (SELECT md5(string_agg(concat_ws(',', id, email, status, updated_at), ';' ORDER BY id)) FROM subscribers)) AS state`,
  );
  const client = new Redis(redis.url);
  const keys = await client.keys('*');
  client.disconnect();
  return `${rows[0]?.state} redis:${keys.sort().join(',')}`;
}

/** A local time in UTC, as --at takes it, the next whole minute at least `ms` from now. */
function minuteAfter(ms: number): string {
  const at = Math.ceil((Date.now() + ms) / 60_000) * 60_000;
  return new Date(at).toISOString().slice(0, 16);
}

describe('bulletin publish --dry-run', () => {
  it('shows who would receive the issue and the editions, and sends, records and stores nothing', {
    timeout: 120_000,
  }, async () => {
    const before = await recorded();
    // Two readers chose French (005 has a French translation), one Spanish (it has none).
    const chose = (language: string | null, emails: string[]) =>
      db.query('UPDATE subscribers SET language = $1 WHERE email = ANY($2)', [language, emails]);
    await chose('fr', ['r000001@example.net', 'r000002@example.net']);
    await chose('es', ['r000003@example.net']);
    const run = await bulletin('publish', 'issues/global-eye/005.md', '--dry-run', '--sample', '3');
    await chose(null, ['r000001@example.net', 'r000002@example.net', 'r000003@example.net']);
    expect(run.status, run.stderr).toBe(0);
    // The edition each would be sent.
    expect(run.stdout).toMatch(/^en +5 +default; also es 1 \(no translation\)$/m);
    expect(run.stdout).toMatch(/^fr +2$/m);
    expect(run.stdout).toContain('Dry run of global-eye/005: nothing was sent, recorded or stored.');
    expect(run.stdout).toMatch(/^confirmed \(would receive it\) +7$/m);
    expect(run.stdout).toMatch(/^pending +1$/m);
    expect(run.stdout).toMatch(/^unsubscribed +2$/m);
    expect(run.stdout).toMatch(/^total +10$/m);
    expect(run.stdout).toContain('Recipients: 7.');
    expect(run.stdout).toContain(
      'First 3, in send order (and 4 more):\n  r000001@example.net\n  r000002@example.net\n  r000003@example.net\n',
    );
    for (const file of ['email.html', 'email.txt', 'index.html', 'global-eye-005.pdf'])
      expect(run.stdout).toMatch(new RegExp(`^${file.replace('.', '\\.')} +\\d+\\.\\d KiB +\\d+ ms$`, 'm'));
    expect(run.stderr).toBe('');
    expect(await recorded()).toBe(before);
    expect(existsSync(join(dataDir, 'editions'))).toBe(false);
    expect(sink.received).toHaveLength(0);
  });
});

/** A copy of issue 005 with 30 more articles: its email is over Gmail's clipping size. */
const longIssue = () =>
  issue005WithExtraArticles(
    30,
    'An extra paragraph of plain text that makes the issue longer than Gmail shows whole. '.repeat(4),
  );

describe('bulletin publish --dry-run of an issue whose email Gmail would clip', () => {
  it('warns in one line, still sending and recording nothing', { timeout: 120_000 }, async () => {
    const before = await recorded();
    const run = await bulletin('publish', longIssue(), '--dry-run', '--sample', '0');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(
        /^warning email-size: email\.html is \d+\.\d KiB, over Gmail's 100\.0 KiB clipping limit\./,
      ),
    ]);
    expect(run.stdout).toContain('Recipients: 7.');
    expect(run.stdout).not.toContain('in send order');
    expect(await recorded()).toBe(before);
  });
});

describe('bulletin publish --at and bulletin schedule', () => {
  it('refuses a time gone by, a zone that does not exist, a day that does not exist or a bad window, in one line, recording nothing', {
    timeout: 120_000,
  }, async () => {
    const before = await recorded();
    const cases: [string[], RegExp][] = [
      [
        ['--at', '2020-01-01T09:00', '--tz', 'Europe/Zurich'],
        /^error schedule-in-past: 2020-01-01 09:00 Europe\/Zurich has passed/,
      ],
      [
        ['--at', '2030-01-01T09:00', '--tz', 'Europe/Geneva'],
        /^error invalid-time-zone: "Europe\/Geneva" is not a time zone\..*Europe\/Zurich/,
      ],
      [['--at', '2030-02-30T09:00'], /^error invalid-date: "2030-02-30T09:00" is not a date and time\./],
      [
        ['--at', '2030-01-01T09:00', '--window', '8-18'],
        /^error invalid-window: "8-18" is not a sending window\./,
      ],
    ];
    const runs = await Promise.all(
      cases.map(([args]) => bulletin('publish', 'issues/global-eye/005.md', ...args)),
    );
    for (const [i, run] of runs.entries()) {
      expect(run.status).toBe(1);
      expect(run.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(cases[i]?.[1] as RegExp)]);
      expect(run.stdout).toBe('');
    }
    expect(await recorded()).toBe(before);
  });

  it('schedules, lists, moves and cancels a campaign', { timeout: 120_000 }, async () => {
    const scheduled = await bulletin(
      'publish',
      'issues/global-eye/005.md',
      '--at',
      '2030-12-01T09:00',
      '--tz',
      'Europe/Zurich',
      '--window',
      '08:00-18:00',
    );
    expect(scheduled.status, scheduled.stderr).toBe(0);
    expect(scheduled.stdout).toMatch(
      /^Campaign (\d+) scheduled for 2030-12-01 09:00 Europe\/Zurich \(2030-12-01 08:00 UTC\), sent only between 08:00-18:00 Europe\/Zurich\.$/m,
    );
    const id = /^Campaign (\d+) scheduled/m.exec(scheduled.stdout)?.[1] as string;
    expect(scheduled.stdout).toContain('No worker is running now');
    expect(existsSync(join(dataDir, 'editions'))).toBe(false);

    const list = await bulletin('schedule', 'list');
    expect(list.stdout).toMatch(/^id +issue +local time +zone +UTC +window +subject$/m);
    expect(list.stdout).toMatch(
      new RegExp(
        `^ *${id} +global-eye/005 +2030-12-01 09:00 +Europe/Zurich +2030-12-01 08:00 +08:00-18:00 +The Global Eye`,
        'm',
      ),
    );

    const moved = await bulletin(
      'schedule',
      'move',
      id,
      '--at',
      '2030-12-02T07:30',
      '--tz',
      'America/New_York',
    );
    expect(moved.status, moved.stderr).toBe(0);
    expect(moved.stdout).toContain(
      `Campaign ${id} moved to 2030-12-02 07:30 America/New_York (2030-12-02 12:30 UTC).`,
    );
    const [status, all] = await Promise.all([bulletin('status', id), bulletin('status')]);
    expect(all.stdout).toMatch(
      /global-eye\/005 +scheduled for 2030-12-02 07:30 America\/New_York \(2030-12-02 12:30 UTC\)$/m,
    );
    expect(status.stdout).toMatch(/global-eye\/005 {2}scheduled/);
    expect(status.stdout).toContain('scheduled   2030-12-02 07:30 America/New_York (2030-12-02 12:30 UTC)');

    const [again, now] = await Promise.all([
      bulletin('publish', 'issues/global-eye/005.md', '--at', '2030-12-01T09:00'),
      bulletin('publish', 'issues/global-eye/005.md'),
    ]);
    expect(again.stdout).toContain(
      `Campaign ${id} exists already (scheduled); nobody is sent the issue twice.`,
    );
    // Publishing it at once instead neither sends it nor puts its editions online early.
    expect(now.status, now.stderr).toBe(0);
    expect(now.stdout).toContain(`Campaign ${id} is scheduled; nobody is sent the issue twice`);
    expect(existsSync(join(dataDir, 'editions'))).toBe(false);

    const cancelled = await bulletin('cancel', id);
    expect(cancelled.status, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toContain(
      `Campaign ${id} (global-eye/005) cancelled before its time: nothing was sent`,
    );
    const twice = await bulletin('schedule', 'cancel', id);
    expect(twice.status).toBe(1);
    expect(twice.stderr.trimEnd()).toMatch(
      new RegExp(`^error not-scheduled: Campaign ${id} is cancelled, not scheduled\\.`),
    );
    expect((await bulletin('schedule', 'list')).stdout).toMatch(/^No campaign is scheduled/);
    expect(sink.received).toHaveLength(0);
  });

  it('returns once scheduled, and a running `bulletin worker` sends it at its time', {
    timeout: 240_000,
  }, async () => {
    const worker = processes.start(['worker', '--reconcile-ms', '1000'], { ...process.env, ...env });
    try {
      const at = minuteAfter(40_000);
      const scheduled = await bulletin('publish', 'issues/global-eye/005.md', '--at', at, '--tz', 'UTC');
      expect(scheduled.status, scheduled.stderr).toBe(0);
      expect(scheduled.stdout).toContain(`scheduled for ${at.replace('T', ' ')} UTC.`);
      expect(Date.now()).toBeLessThan(Date.parse(`${at}:00Z`)); // it did not wait for the time
      expect(sink.received).toHaveLength(0);
      for (let i = 0; i < 1500 && sink.received.length < 7; i++) await new Promise((r) => setTimeout(r, 100));
      expect(sink.received.map((m) => m.to).sort()).toEqual(
        Array.from({ length: 7 }, (_, i) => `r00000${i + 1}@example.net`),
      );
      expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(`${at}:00Z`));
      // Online from its time: the web edition in the data dir the site serves.
      expect(existsSync(join(dataDir, 'editions', 'global-eye', '005', 'index.html'))).toBe(true);
    } finally {
      await worker.stop();
    }
  });
});

describe('bulletin serve', () => {
  it('runs the scheduler: at its time the campaign starts and its editions go online, for workers to send', {
    timeout: 120_000,
  }, async () => {
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const schedule = openScheduleQueue(connection);
    const now = new Date();
    const { campaign } = await scheduleCampaign(
      { db, schedule },
      campaignOf(6, 5),
      [{ files: [{ name: 'index.html', contents: '<h1>Issue 6</h1>', ms: 0 }] }],
      { at: new Date(now.getTime() + 2000), timeZone: 'UTC', now },
    );
    await schedule.close();
    connection.disconnect();
    const serve = processes.start(['serve', '--http', '127.0.0.1:0', '--smtp', '127.0.0.1:0'], {
      ...process.env,
      ...env,
    });
    try {
      const page = join(dataDir, 'editions', 'global-eye', '006', 'index.html');
      let status = '';
      for (let i = 0; i < 600 && status !== 'sending'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        status = (await getCampaign(db, campaign.id))?.status ?? '';
      }
      expect(status).toBe('sending');
      expect(readFileSync(page, 'utf8')).toBe('<h1>Issue 6</h1>');
      expect((await getCampaign(db, campaign.id))?.recipients).toBe(7);
    } finally {
      await serve.stop();
    }
  });
});
