// Terminal output for people: the progress line (what it says while the SMTP server keeps
// failing, never NaN or Infinity), log records as human lines on a terminal and JSON elsewhere,
// and `publish` end to end on a real pseudo-terminal (util-linux `script`) against an SMTP server
// that answers 421 to every recipient for its first seconds.

import { spawn } from 'node:child_process';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duration, progressLine, shortError } from '../../src/cli/progress.ts';
import { formatLogRecord, logsAreHuman } from '../../src/log.ts';
import { openStore } from '../../src/store/open.ts';
import { addConfirmed } from '../../src/subscribers/store.ts';
import { BIN } from '../support/cli.ts';
import { tempDataDir } from '../support/data-dir.ts';
import { type PostgresServer, startPostgres } from '../support/postgres.ts';
import { startTcpRedis } from '../support/redis.ts';

/** A terminal control sequence (cursor moves, clearing), as the bar draws them. */
const ANSI_ESCAPE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g');

const base = { recipients: 1000, sent: 450, failed: 3, remaining: 547, deferred: 0, ratePerSecond: 12 };

describe('the progress line', () => {
  it('shows sent, failed, remaining, the rate and an ETA from it', () => {
    expect(progressLine(base)).toBe('sent 450 | failed 3 | remaining 547 | 12/s | ETA 46s');
  });

  it('says how many recipients are deferred and the last answer while the server keeps failing', () => {
    const line = progressLine({
      ...base,
      sent: 0,
      failed: 0,
      remaining: 1000,
      deferred: 120,
      lastError: '421 421 4.7.0 Try again later',
      ratePerSecond: 0,
    });
    expect(line).toBe(
      'sent 0 | failed 0 | deferred 120 · last: 421 Try again later | remaining 1000 | 0.0/s | ETA –',
    );
  });

  it('never shows NaN or Infinity, whatever the rate', () => {
    for (const ratePerSecond of [0, Number.NaN, Number.POSITIVE_INFINITY, -3, 1e-9]) {
      const line = progressLine({ ...base, ratePerSecond });
      expect(line).not.toMatch(/NaN|Infinity|NF/);
      expect(line).toMatch(/ETA (–|\d)/);
    }
    expect(progressLine({ ...base, remaining: 0, ratePerSecond: 0 })).toMatch(/ETA 0s$/);
  });

  it('shortens SMTP answers and connection errors to fit the line', () => {
    expect(shortError('451 451 4.3.0 Mail server temporarily rejected message.')).toBe(
      '451 Mail server temporarily rejected me…',
    );
    expect(shortError('connect ECONNREFUSED 127.0.0.1:2525')).toBe('ECONNREFUSED 127.0.0.1:2525');
    expect(shortError('421 try\nlater')).toBe('421 try later');
  });

  it('writes durations as a person reads them', () => {
    expect([duration(46), duration(200), duration(7500)]).toEqual(['46s', '3m 20s', '2h 05m']);
  });
});

describe('log records', () => {
  it('are human lines on a terminal or with LOG_FORMAT=pretty, JSON otherwise', () => {
    expect(logsAreHuman('auto', { isTTY: true })).toBe(true);
    expect(logsAreHuman('auto', { isTTY: false })).toBe(false);
    expect(logsAreHuman('auto', {})).toBe(false);
    expect(logsAreHuman('json', { isTTY: true })).toBe(false);
    expect(logsAreHuman('pretty', { isTTY: false })).toBe(true);
  });

  it('become one line: level, message, details, an error by its message and never its stack', () => {
    const line = formatLogRecord({
      level: 40,
      time: Date.UTC(2026, 10, 23, 12, 0, 0),
      pid: 1,
      hostname: 'h',
      msg: 'list mail not sent (will retry)',
      to: 'ann@example.org',
      err: { type: 'Error', message: 'connect ECONNREFUSED', stack: 'Error: x\n    at y (z.js:1:1)' },
    });
    expect(line).toMatch(
      /^\d\d:\d\d:\d\d warn {2}list mail not sent \(will retry\) \(to: ann@example\.org, err: connect ECONNREFUSED\)$/,
    );
    expect(line).not.toContain('\n');
  });
});

describe('publish on a terminal, against an SMTP server that answers 421 for its first seconds', () => {
  const data = tempDataDir();
  let postgres: PostgresServer;
  let redis: Awaited<ReturnType<typeof startTcpRedis>>;
  let smtp: SMTPServer;
  let smtpUrl: string;
  let databaseUrl: string;
  let firstRefusal: number | undefined;
  const READERS = 12;

  beforeAll(async () => {
    [postgres, redis] = await Promise.all([startPostgres(), startTcpRedis()]);
    databaseUrl = await postgres.createDatabase();
    const db = await openStore({ dataDir: data.dir, databaseUrl });
    for (let i = 0; i < READERS; i++)
      await addConfirmed(db, {
        publication: 'global-eye',
        email: `reader${i}@example.org`,
        evidence: 'test',
        now: new Date(),
      });
    await db.close();
    smtp = new SMTPServer({
      logger: false,
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      // 421 to every recipient until 4 s after the first one was refused.
      onRcptTo: (_address, _session, callback) => {
        firstRefusal ??= performance.now();
        if (performance.now() - firstRefusal < 4_000)
          return callback(Object.assign(new Error('4.7.0 Try again later'), { responseCode: 421 }));
        callback();
      },
      onData: (stream, _session, callback) => {
        stream.resume();
        stream.on('end', () => callback());
      },
    });
    smtp.on('error', () => {});
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as { port: number }).port}`;
  }, 60_000);

  afterAll(async () => {
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
    await redis?.stop();
    await postgres?.stop();
    data.remove();
  });

  it('shows the deferred count and the last answer on the bar, log lines as text above it, and finishes', async () => {
    const command = [
      'stty cols 200 rows 40;',
      process.execPath,
      BIN,
      '--data-dir',
      data.dir,
      'publish',
      'issues/global-eye/005.md',
      '--batch-size 4 --backoff-ms 400 --attempts 20 --pause-after 0',
    ].join(' ');
    // `script` gives the command a pseudo-terminal and copies what it draws to our stdout.
    const output = await new Promise<{ status: number | null; text: string }>((resolve) => {
      const child = spawn('script', ['-qefc', command, '/dev/null'], {
        env: {
          ...process.env,
          DATABASE_URL: databaseUrl,
          REDIS_URL: redis.url,
          SMTP_URL: smtpUrl,
          LOG_FORMAT: 'auto',
          LOG_LEVEL: 'info',
        },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout.on('data', (chunk) => {
        text += chunk;
      });
      child.stderr.on('data', (chunk) => {
        text += chunk;
      });
      const killer = setTimeout(() => child.kill('SIGKILL'), 100_000);
      child.on('close', (status) => {
        clearTimeout(killer);
        resolve({ status, text });
      });
    });
    // The terminal's redraws, as lines of text.
    const screen = output.text.replace(ANSI_ESCAPE, '\n').replace(/\r/g, '\n');
    expect(output.status, screen).toBe(0);
    expect(screen).toMatch(/deferred \d+ · last: 421 Try again later/);
    expect(screen).toMatch(new RegExp(`sent ${READERS} \\| failed 0 \\| remaining 0`));
    expect(screen).not.toMatch(/NaN|Infinity|ETA NF/);
    expect(screen).not.toContain('{"level"'); // no raw JSON on a terminal
    expect(screen).toMatch(/\d\d:\d\d:\d\d (info|warn) /); // log records as human lines
  }, 120_000);

  it('writes JSON log records when stderr is not a terminal', async () => {
    const { stderr } = await new Promise<{ stderr: string }>((resolve) => {
      // A worker logs at start: run one, read its first record, stop it.
      const worker = spawn(process.execPath, [BIN, '--data-dir', data.dir, 'worker'], {
        env: {
          ...process.env,
          DATABASE_URL: databaseUrl,
          REDIS_URL: redis.url,
          SMTP_URL: smtpUrl,
          LOG_FORMAT: '',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let text = '';
      worker.stderr.on('data', (chunk) => {
        text += chunk;
        if (text.includes('delivery worker started')) worker.kill('SIGTERM');
      });
      const killer = setTimeout(() => worker.kill('SIGKILL'), 30_000);
      worker.on('close', () => {
        clearTimeout(killer);
        resolve({ stderr: text });
      });
    });
    const first = stderr.split('\n').find((line) => line.includes('delivery worker started')) ?? '';
    expect(JSON.parse(first)).toMatchObject({ level: 30, msg: 'delivery worker started' });
  }, 60_000);
});
