// README's "Several machines": `serve` and two `worker`s, each with a data dir of its own (as on
// three machines), against one PostgreSQL and one Redis, with no BULLETIN_SECRET anywhere. Each
// worker delivers one campaign; every unsubscribe link either one signed works on `serve`. A worker
// given another BULLETIN_SECRET refuses to start with one line. The editions `publish` stored on
// one machine (in every language) are served by a `serve` on another, and a new publish shows there
// without a restart.

import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.ts';
import { installationSecret } from '../../src/store/installation-secret.ts';
import { openStore } from '../../src/store/open.ts';
import { PUBLIC_URL, type RedisProcess, startRedisProcess } from '../delivery/harness.ts';
import { bulletinProcesses, type RunningBulletin, until } from '../support/cli.ts';
import { freshDataDirs } from '../support/data-dir.ts';
import { freePort } from '../support/ports.ts';
import { type PostgresServer, startPostgres } from '../support/postgres.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';

const READERS = 6;
const machine = freshDataDirs();

let postgres: PostgresServer;
let redis: RedisProcess;
let sink: SmtpSink;
let db: Db;
let shared: Record<string, string>;
const processes = bulletinProcesses();

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
  await db?.close();
  await Promise.all([sink?.stop(), redis?.stop(), postgres?.stop()]);
});

/** `bulletin …` on a "machine" of its own: its own data dir, the shared services. */
const start = (args: string[], extra: Record<string, string> = {}): RunningBulletin =>
  processes.start(args, { PATH: process.env.PATH, ...shared, BULLETIN_DATA_DIR: machine(), ...extra });

/** `publish --detach` from yet another machine: enqueues, and the running worker delivers. */
async function publish(issue: string): Promise<void> {
  const p = start(['publish', issue, '--detach']);
  expect(await p.exited, p.stderr()).toBe(0);
}

async function startServe(dataDir = machine()) {
  const served = await processes.serve({
    PATH: process.env.PATH,
    ...shared,
    BULLETIN_DATA_DIR: dataDir,
  });
  return { ...served, dataDir };
}

const unsubscribeToken = (raw: string) => /\/unsubscribe\/([0-9a-z-]+)>/.exec(raw)?.[1];

describe('several machines: serve and two workers with data dirs of their own, one PostgreSQL, one Redis', () => {
  it('every unsubscribe link either worker signed works on serve', { timeout: 180_000 }, async () => {
    // Both workers start at once, each on a fresh machine: the first to reach the database creates
    // the installation's secret, the other reads it.
    let first = start(['worker']);
    let second = start(['worker']);
    await Promise.all([first.says(/delivery worker started/), second.says(/delivery worker started/)]);
    const { serve, base } = await startServe();

    // One campaign per worker, so each one's links are known to be its own.
    expect(await second.stop()).toBe(0);
    await publish('issues/global-eye/005.md');
    await until('the first campaign', () => sink.messages.length >= READERS, { logs: first.stderr });
    expect(await first.stop()).toBe(0);
    second = start(['worker']);
    await second.says(/delivery worker started/);
    await publish('issues/trafficking-in-migrants/025.md');
    await until('the second campaign', () => sink.messages.length >= 2 * READERS, { logs: second.stderr });
    first = second;

    // The issues only: each unsubscription below sends a goodbye of its own.
    const issues = sink.messages.slice();
    expect(new Set(issues.flatMap((m) => m.to)).size).toBe(2 * READERS);
    for (const message of issues) {
      const token = unsubscribeToken(message.raw.toString());
      expect(token, message.to.join()).toBeDefined();
      // RFC 8058 one-click, as a mail client sends it.
      const response = await fetch(`${base}/unsubscribe/${token}`, {
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
    expect(await first.stop()).toBe(0);
    expect(await serve.stop()).toBe(0);
  });

  it('serve shows, from an empty data dir, the editions publish stored on another machine; a new publish without a restart', {
    timeout: 240_000,
  }, async () => {
    // The issues in a folder of their own: the test changes one and publishes it again.
    const issues = machine();
    cpSync('issues', issues, { recursive: true });
    const file = join(issues, 'global-eye', '005.md');
    await publish(file); // the campaign of the test above (or a new one: nobody gets it twice)
    const pdfPath = 'global-eye-005.pdf';
    const { rows } = await db.query<{ content: Buffer; sha256: string }>(
      "SELECT content, sha256 FROM edition_files WHERE publication = 'global-eye' AND issue = '005' AND path = $1",
      [pdfPath],
    );
    const pdf = rows[0]?.content as Buffer;
    expect(pdf.length).toBeGreaterThan(10_000);

    const { serve, base, dataDir } = await startServe(); // a fresh machine: nothing in its data dir
    const page = await fetch(`${base}/global-eye/005/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Straddling the Border');
    const archive = await fetch(`${base}/global-eye/`);
    expect(archive.status).toBe(200);
    expect(await archive.text()).toContain('href="../global-eye/005/global-eye-005.pdf"');
    const range = await fetch(`${base}/global-eye/005/${pdfPath}`, { headers: { range: 'bytes=100-1123' } });
    expect(range.status).toBe(206);
    expect(range.headers.get('content-range')).toBe(`bytes 100-1123/${pdf.length}`);
    expect(Buffer.from(await range.arrayBuffer()).equals(pdf.subarray(100, 1124))).toBe(true);

    // The French translation, published with it, is there too at its own address, searchable in French.
    const french = await fetch(`${base}/global-eye/fr/005/`);
    expect(french.status).toBe(200);
    expect(await french.text()).toContain('À cheval sur la frontière');
    const search = await (await fetch(`${base}/global-eye/fr/search?q=fronti%C3%A8res`)).text();
    expect(search).toContain('<mark>frontière</mark>');
    rmSync(join(dataDir, 'editions', 'global-eye', 'fr', '005', pdfPath));
    const frenchPdf = await fetch(`${base}/global-eye/fr/005/${pdfPath}`);
    expect(frenchPdf.status).toBe(200);
    expect(frenchPdf.headers.get('content-type')).toBe('application/pdf');

    // A file gone from the cache (a notification missed, a disk cleaned) is fetched when asked for.
    rmSync(join(dataDir, 'editions', 'global-eye', '005', pdfPath));
    const whole = await fetch(`${base}/global-eye/005/${pdfPath}`);
    expect(whole.status).toBe(200);
    expect(Buffer.from(await whole.arrayBuffer()).equals(pdf)).toBe(true);

    // Published again, changed, from another machine: the running serve has it within seconds
    // (its index.html is there, so only the notification brings the new one).
    const marker = `Edited ${Date.now()}`;
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        'Olga spoke to the Global Eye team',
        `${marker}: Olga spoke to the Global Eye team`,
      ),
    );
    await publish(file);
    const published = Date.now(); // stored and notified at its commit, before it exited
    await until(
      'the republished edition on the other serve',
      async () => (await (await fetch(`${base}/global-eye/005/`)).text()).includes(marker),
      { logs: serve.stderr, ms: 10_000 },
    );
    expect(Date.now() - published).toBeLessThan(10_000);
    console.info(
      `republished edition shown by the other serve ${Date.now() - published} ms after publish exited`,
    );
    expect(readFileSync(join(dataDir, 'editions', 'global-eye', '005', 'site.json'), 'utf8')).toContain(
      marker,
    );
    expect(await serve.stop()).toBe(0);

    // The static copy, written on yet another machine, has the PDF too.
    const out = join(machine(), 'site');
    const site = start(['site', '--out', out]);
    expect(await site.exited, site.stderr()).toBe(0);
    const republished = await db.query<{ content: Buffer }>(
      "SELECT content FROM edition_files WHERE publication = 'global-eye' AND issue = '005' AND path = $1",
      [pdfPath],
    );
    expect(
      readFileSync(join(out, 'global-eye', '005', pdfPath)).equals(republished.rows[0]?.content as Buffer),
    ).toBe(true);
    expect(readFileSync(join(out, 'global-eye', '005', 'index.html'), 'utf8')).toContain(marker);
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
